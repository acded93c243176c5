package dev.tune.local.contract;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.container.contract.ChildJvm;
import dev.tune.container.contract.ContractEndpoint;
import dev.tune.container.contract.ContractRunner;
import dev.tune.container.serve.Contract;
import dev.tune.core.artifact.FileUri;
import dev.tune.local.store.JsonFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A local endpoint's process under a cloud contract: {@code ContractServeMain sagemaker|vertex
 * MODEL_DIR ENDPOINT_DIR}. It serves the model through {@link ContractRunner#serve} in {@code
 * ENDPOINT_DIR/contract/} (the model staged as the provider stages it), writes where the server
 * listens and its routes to {@code ENDPOINT_DIR/contract.json}, passes a SIGTERM on to the server
 * and exits when the server does.
 */
public final class ContractServeMain {
  /** What {@code contract.json} holds, read by the local provider's endpoints. */
  public static final String STATE_FILE = "contract.json";

  private ContractServeMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ContractServeMain sagemaker|vertex MODEL_DIR ENDPOINT_DIR");
      System.exit(2);
    }
    Contract contract = Contract.valueOf(args[0].toUpperCase(Locale.ROOT));
    Path modelDir = Path.of(args[1]).toAbsolutePath().normalize();
    Path dir = Path.of(args[2]).toAbsolutePath().normalize();
    // The server's log goes where the local provider points at a failed endpoint: serve.err.log.
    ContractRunner runner =
        ContractRunner.builder(contract)
            .jvm(ChildJvm.current().withJvmOptions(List.of("-Xss4m")))
            .output(System.err::println)
            .build();
    ContractEndpoint endpoint = runner.serve(FileUri.of(modelDir), dir.resolve("contract"));
    Runtime.getRuntime().addShutdownHook(new Thread(endpoint::close));
    ObjectNode state = JsonFiles.object();
    state.put("port", endpoint.port());
    state.put("health_route", endpoint.healthUri().getPath());
    state.put("predict_route", endpoint.predictUri().getPath());
    JsonFiles.write(dir.resolve(STATE_FILE), state);
    ProcessHandle.of(endpoint.pid()).ifPresent(server -> server.onExit().join());
    // Stopped by a SIGTERM, the JVM halts once the hook is done; otherwise the server died.
    System.err.println("tune: the " + contract + " server process has ended");
    System.exit(1);
  }
}
