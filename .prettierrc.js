// Prettier settings of n8n's community-node starter (npm create @n8n/node): tabs, width 100.
// `npm run format` writes, `npm run format:check` checks; .prettierignore lists what stays as is.
module.exports = {
	semi: true,
	trailingComma: 'all',
	bracketSpacing: true,
	useTabs: true,
	tabWidth: 2,
	arrowParens: 'always',
	singleQuote: true,
	quoteProps: 'as-needed',
	endOfLine: 'lf',
	printWidth: 100,
};
