import {
  publishToTuf,
  tufPublishCommand
} from "./chunk-53RH2ORN.js";
import "./chunk-5XYT2ALU.js";
export {
  publishToTuf,
  tufPublishCommand
};
