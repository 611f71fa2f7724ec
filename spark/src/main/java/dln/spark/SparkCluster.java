package dln.spark;

import dln.cli.Cluster;
import dln.cli.Job;
import java.io.PrintWriter;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;

/**
 * Spark as `dlnc train --master`'s cluster (found by {@link java.util.ServiceLoader}). The master
 * {@link #SUBMITTED} takes the one spark-submit configured. The workers are the application's task
 * slots (spark.default.parallelism, else all the executors' cores), one task of each epoch's
 * barrier stage on each.
 */
public final class SparkCluster implements Cluster {
    /** The master under spark-submit: whatever it set in spark.master. */
    public static final String SUBMITTED = "spark-submit";

    @Override
    public Workers open(String master, Job.Spec job, PrintWriter err) {
        if (!master.equals(SUBMITTED)) quietLogs();
        SparkConf conf = new SparkConf().setAppName("dlnc train " + java.nio.file.Path.of(job.file()).getFileName());
        if (!master.equals(SUBMITTED)) {
            conf.setMaster(master);
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        JavaSparkContext spark = new JavaSparkContext(conf);
        spark.setLogLevel(System.getProperty("dln.spark.log", "WARN"));
        spark.sc().addSparkListener(new SparkListener() {
            @Override public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                int attempt = submitted.stageInfo().attemptNumber();
                if (attempt > 0) {
                    err.println("dlnc: note: a task or an executor failed; Spark runs the epoch again from its start (attempt "
                            + (attempt + 1) + ")");
                    err.flush();
                }
            }
        });
        return new SparkWorkers(spark, job, spark.defaultParallelism());
    }

    /** Spark logs only its warnings when embedded, unless the user configured log4j (before Spark's first log line). */
    private static void quietLogs() {
        if (System.getProperty("log4j2.configurationFile") != null || System.getProperty("log4j.configurationFile") != null) return;
        var config = SparkCluster.class.getResource("log4j2-embedded.properties");
        if (config != null) System.setProperty("log4j2.configurationFile", config.toString());
    }
}
