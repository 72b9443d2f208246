// Runs before dev and test so an old Node fails with one clear line instead of a syntax error deep in a dependency.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 9)) {
  console.error(`Node ${process.versions.node} is too old: this project needs Node >= 20.9 (install a newer Node, e.g. with nvm install 20).`);
  process.exit(1);
}
