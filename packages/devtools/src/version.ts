/** The package version, printed by `tracewire --version`. */
export const VERSION = '0.1.0';
