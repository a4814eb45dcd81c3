module.exports = { displayName: 'rpc', preset: '../../jest.preset.cjs' };
