package dln.cli;

import dln.train.Trainer;
import java.io.PrintWriter;
import java.util.ServiceLoader;

/**
 * Where `dlnc train --master URL` trains: a cluster engine found on the class path (the spark
 * module's {@code dln.spark.SparkCluster}, which the dlnc launcher adds for --master), so that the
 * command line itself carries no cluster engine.
 */
public interface Cluster {

    /** Workers that train {@code job}'s epochs data-parallel on the cluster at {@code master}; closing them ends the application. */
    Workers open(String master, Job.Spec job, PrintWriter err);

    /** A cluster's workers for one run. */
    interface Workers extends Trainer.Workers, AutoCloseable {
        /** How many workers share each batch, and where: for the run's header. */
        String description();

        @Override void close();
    }

    /** The cluster stopped the run (too many failed tasks, lost executors): reported in one line, exit code 1. */
    final class Failure extends RuntimeException {
        public Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The cluster engine on the class path; a usage error when there is none. */
    static Cluster find() {
        return ServiceLoader.load(Cluster.class).findFirst().orElseThrow(() -> new Run.Failure(Dlnc.USAGE,
                "--master needs the spark module: build it (mvn -DskipTests package -pl spark -am), and run dlnc from the"
                        + " source tree, which puts Spark on the class path for --master; on a cluster, use spark-submit"
                        + " with spark/target/dln-spark-<version>.jar (docs/SCALE.md)"));
    }
}
