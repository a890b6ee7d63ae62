import {
  formatReleaseMetadata,
  releaseMetadata,
  releaseMetadataCommand,
  releaseMetadataPredicateType
} from "./chunk-AQOBQE7Y.js";
import "./chunk-5XYT2ALU.js";
export {
  formatReleaseMetadata,
  releaseMetadata,
  releaseMetadataCommand,
  releaseMetadataPredicateType
};
