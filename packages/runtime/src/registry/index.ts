export { defineCacheRegistry, createRegistry, RegistryError } from './define.js';
export type { CacheRegistry, KeyParams, TemplateParams } from './define.js';
export { validateRegistry, fillTemplate, formatPath, loneSurrogateAt, ownParam, templateRegExp } from './model.js';
export type { KeyDefinition, RegistryDefinition, RegistryEntry, RegistryIssue, ParamValue } from './model.js';
