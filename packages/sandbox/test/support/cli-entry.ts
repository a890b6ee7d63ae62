// The `oci-sd` binary, built from src/ for tests that run the CLI as a child process.
import { main } from '@oci-sd/cli';

process.exitCode = await main(process.argv);
