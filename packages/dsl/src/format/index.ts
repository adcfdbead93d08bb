// The formatter behind `patron fmt`.
export { formatFile } from "./format-file.js";
