package dln.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The submit jar as a cluster gets it: `spark-submit --class dln.spark.Train dln-spark-VERSION.jar
 * FILE ...` through Spark's own SparkSubmit in a JVM of its own, which loads the jar in a class
 * loader of Spark's (not on java.class.path); it must train, and end as one process does.
 */
class SubmitJarIT {
    @TempDir Path dir;

    @Test
    void sparkSubmitRunsTheSubmitJarAndEndsAsOneProcess() throws Exception {
        // The jar exists from the package phase on: run in the integration-test phase (the submit-jar execution), skipped before.
        Assumptions.assumeTrue(System.getProperty("dln.spark.jar") != null, "the submit jar is tested after it is built");
        SparkTrainTest runs = new SparkTrainTest();
        runs.dir = dir;
        Path file = runs.mlp("mlp", "dense(16) -> relu");
        SparkTrainTest.Run one = SparkTrainTest.dlnc("train", file.toString(), "--device", "java", "--epochs", "2",
                "--checkpoint", dir.resolve("one").toString());
        assertThat(one.code()).as(one.err()).isZero();

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")).toList());
        command.addAll(List.of("-cp", Path.of(System.getProperty("dln.spark.lib")).resolve("*").toString(),
                "org.apache.spark.deploy.SparkSubmit", "--master", "local[2]", "--class", "dln.spark.Train",
                System.getProperty("dln.spark.jar"), file.toString(), "--device", "java", "--epochs", "2",
                "--checkpoint", dir.resolve("submitted").toString()));
        Path log = dir.resolve("submit.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("spark-submit ends").isTrue();
        String output = Files.readString(log);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("data parallel: 2 workers share each batch, on Spark 4.").contains("epoch 2/2");
        assertThat(SparkTrainTest.relativeDifference(SparkTrainTest.last(dir.resolve("one")), SparkTrainTest.last(dir.resolve("submitted"))))
                .isLessThan(1e-5);
    }
}
