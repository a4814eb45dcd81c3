module.exports = { displayName: 'overlay-grpc', preset: '../../jest.preset.cjs' };
