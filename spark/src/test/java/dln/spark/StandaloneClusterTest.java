package dln.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spark standalone cluster on loopback, started from the spark-core jars on the test's class
 * path: a master and a worker in JVMs of their own, and executors of one core each, which the
 * worker starts as further JVMs. `dlnc train --master spark://...` from this JVM as the driver
 * must end with the one-process weights, the gradients having crossed between JVMs; and again
 * when an executor is killed during the run.
 */
class StandaloneClusterTest {
    @TempDir static Path dir;

    private static final List<Process> PROCESSES = new ArrayList<>();
    private static String master;

    @BeforeAll
    static void startCluster() throws IOException {
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", "0");
        start("worker", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "2", "--memory", "1g",
                "--webui-port", "0", "--work-dir", dir.resolve("work").toString(), master);
        System.setProperty("spark.executor.cores", "1");
        System.setProperty("spark.executor.memory", "512m");
        System.setProperty("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        System.setProperty("spark.executor.extraJavaOptions", String.join(" ", opens()));
        System.setProperty("spark.default.parallelism", "2");
    }

    @AfterAll
    static void stopCluster() {
        for (String p : List.of("spark.executor.cores", "spark.executor.memory", "spark.executor.extraClassPath",
                "spark.executor.extraJavaOptions", "spark.default.parallelism")) {
            System.clearProperty(p);
        }
        for (Process p : PROCESSES) p.descendants().forEach(ProcessHandle::destroyForcibly);
        for (Process p : PROCESSES) p.destroyForcibly();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void twoExecutorsEndWithTheWeightsOfOneProcess() throws Exception {
        Path file = model("mlp");
        SparkTrainTest.Run one = SparkTrainTest.dlnc("train", file.toString(), "--device", "java", "--epochs", "2",
                "--checkpoint", dir.resolve("one").toString());
        assertThat(one.code()).as(one.err()).isZero();
        SparkTrainTest.Run two = SparkTrainTest.dlnc("train", file.toString(), "--device", "java", "--epochs", "2", "--master", master,
                "--checkpoint", dir.resolve("two").toString());
        assertThat(two.code()).as(two.err()).isZero();
        assertThat(two.out()).contains("data parallel: 2 workers share each batch").contains("at " + master);
        assertThat(SparkTrainTest.relativeDifference(SparkTrainTest.last(dir.resolve("one")), SparkTrainTest.last(dir.resolve("two"))))
                .isLessThan(1e-5);
    }

    /** An executor killed in the second epoch: Spark runs the epoch's stage again, from the driver's state, on a new executor. */
    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aKilledExecutorsEpochRunsAgainAndTheRunEndsAsOneProcess() throws Exception {
        Path file = model("killed");
        SparkTrainTest.Run one = SparkTrainTest.dlnc("train", file.toString(), "--device", "java", "--epochs", "3",
                "--checkpoint", dir.resolve("killed-one").toString());
        assertThat(one.code()).as(one.err()).isZero();
        Path folder = dir.resolve("killed-two");
        System.setProperty("spark.task.maxFailures", "4");
        // the driver (this JVM) tells TaskWatch of every task's start and end from the context's creation on
        System.setProperty("spark.extraListeners", TaskWatch.class.getName());
        TaskWatch.RUNNING.clear();
        try {
            CompletableFuture<SparkTrainTest.Run> run = CompletableFuture.supplyAsync(() -> SparkTrainTest.dlnc("train", file.toString(),
                    "--device", "java", "--epochs", "3", "--master", master, "--checkpoint", folder.toString()));
            // After the first epoch's checkpoint, kill one executor while the second epoch's stage runs:
            // the driver is this JVM, so a listener of its context says when both of the stage's tasks have
            // started (a fixed delay once killed the executor before the stage began, and nothing was retried)
            while (!Files.exists(folder.resolve("log.csv")) && !run.isDone()) Thread.sleep(5);
            while (!run.isDone() && !bothTasksRunning()) Thread.sleep(5);
            assertThat(run.isDone()).as("the run ended before its second epoch's stage was seen running").isFalse();
            Thread.sleep(200);   // into the stage (its 315 steps take over a second)
            // The worker's youngest child: an executor of this run (those of an earlier run may still be ending).
            ProcessHandle executor = PROCESSES.get(1).descendants()
                    .max(java.util.Comparator.comparing(p -> p.info().startInstant().orElse(java.time.Instant.EPOCH))).orElse(null);
            assertThat(executor).as("an executor of the worker, when the first epoch's checkpoint was written").isNotNull();
            assertThat(executor.destroyForcibly()).isTrue();
            SparkTrainTest.Run two = run.get(7, TimeUnit.MINUTES);
            assertThat(two.code()).as(two.err()).isZero();
            assertThat(two.err()).as("dlnc's error output").contains("Spark runs the epoch again from its start (attempt 2)");
        } finally {
            System.clearProperty("spark.task.maxFailures");
            System.clearProperty("spark.extraListeners");
        }
        assertThat(SparkTrainTest.relativeDifference(SparkTrainTest.last(dir.resolve("killed-one")), SparkTrainTest.last(folder)))
                .isLessThan(1e-5);
    }

    /** Whether a stage has both its tasks running (after the first epoch: the second epoch's barrier stage). */
    private static boolean bothTasksRunning() {
        return TaskWatch.RUNNING.values().stream().anyMatch(n -> n.get() >= 2);
    }

    /** Counts the running tasks of each stage, from the listener bus of the driver's context (spark.extraListeners). */
    public static final class TaskWatch extends org.apache.spark.scheduler.SparkListener {
        static final java.util.Map<Integer, java.util.concurrent.atomic.AtomicInteger> RUNNING = new java.util.concurrent.ConcurrentHashMap<>();

        public TaskWatch() {}

        @Override public void onTaskStart(org.apache.spark.scheduler.SparkListenerTaskStart start) {
            RUNNING.computeIfAbsent(start.stageId(), id -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        }

        @Override public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            RUNNING.computeIfAbsent(end.stageId(), id -> new java.util.concurrent.atomic.AtomicInteger()).decrementAndGet();
        }
    }

    private static Path model(String name) throws IOException {
        SparkTrainTest runs = new SparkTrainTest();
        runs.dir = dir;
        Path file = runs.mlp(name, "dense(16) -> relu");
        // Small batches: an epoch of 315 steps lasts long enough to kill an executor in it.
        Files.writeString(file, Files.readString(file).replace("batch     50", "batch     4"));
        return file;
    }

    /** A JVM of the test's class path running {@code main}, its output in a file named after it. */
    private static void start(String name, String main, String... args) throws IOException {
        Path home = dir.resolve("spark-home");
        // What Spark's launcher looks for under SPARK_HOME when it builds an executor's command; the class path comes from extraClassPath.
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(opens());
        command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        b.environment().put("SPARK_HOME", home.toString());
        b.environment().put("SPARK_SCALA_VERSION", "2.13");
        b.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        PROCESSES.add(b.start());
    }

    /** The JVM options Spark needs on Java 17, as this test JVM got them from surefire's argLine. */
    private static List<String> opens() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
