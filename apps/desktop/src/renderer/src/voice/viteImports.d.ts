// Vite's `?worker&url` import (vite/client types are not loaded in this project): the URL of the bundled module.
declare module '*?worker&url' {
  const url: string;
  export default url;
}
