package dln.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where `dlnc train` and `dlnc eval` read the train block's data from, when not where the block says. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "PATH",
            description = "Read the train block's data from here: the file itself for csv, the folder holding the files the block names for idx and npy.")
    Path data;

    @Option(names = "--test", paramLabel = "PATH", description = "Read the test data from here (as --data).")
    Path test;
}
