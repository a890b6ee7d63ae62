import {
  releaseNotesCommand,
  releaseNotesFor
} from "./chunk-DSLGXES6.js";
import "./chunk-5XYT2ALU.js";
export {
  releaseNotesCommand,
  releaseNotesFor
};
