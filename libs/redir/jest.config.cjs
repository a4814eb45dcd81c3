module.exports = { displayName: 'redir', preset: '../../jest.preset.cjs' };
