/** pgpass (node-postgres' reader of ~/.pgpass and PGPASSFILE) ships no types: the one call the store makes. */
declare module 'pgpass' {
  interface ConnectionInfo {
    host?: string;
    port?: number;
    database?: string;
    user?: string;
  }
  function pgpass(connInfo: ConnectionInfo, callback: (password: string | undefined) => void): void;
  export default pgpass;
}
