module.exports = { displayName: 'overlay', preset: '../../jest.preset.cjs' };
