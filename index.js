// n8n loads this package through the "n8n" section of package.json (nodes and credentials
// by their dist/ paths). Nothing is exported here on purpose: the package has no runtime API.
module.exports = {};
