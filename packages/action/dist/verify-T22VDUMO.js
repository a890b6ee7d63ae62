import {
  registryCredentials,
  verifyCommand
} from "./chunk-RN33LJMG.js";
import "./chunk-5XYT2ALU.js";
export {
  registryCredentials,
  verifyCommand
};
