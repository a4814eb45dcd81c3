export * from './errors';
export * from './model';
export * from './sequence';
export { validateConfiguration, isDnsName, isHostAddress } from './validate';
export * from './security-block';
export { type ConfigurationSigner, certificateHash, isCertifiedBy } from './signing';
export { renderConfigurationXml, renderOverlayDocument, signConfiguration, formatRfc3339 } from './document';
export {
  type KindElement,
  type ParseConfigurationOptions,
  type ParsedConfigurationDocument,
  parseConfigurationDocument,
} from './parse';
export {
  type VerifyConfigurationOptions,
  configurationSignerUserName,
  verifyConfigurationDocument,
} from './verify';
export { escapeXml } from './xml';
