const path = require('node:path');
const { src, dest, task } = require('gulp');

// Copies icons and codex files next to the compiled nodes and credentials in dist/.
function copyAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest(path.resolve('dist')));
}

task('build:assets', copyAssets);
