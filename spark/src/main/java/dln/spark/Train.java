package dln.spark;

import dln.cli.Dlnc;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The submit jar's main class: `spark-submit --class dln.spark.Train dln-spark-VERSION.jar FILE
 * [dlnc train's options]` runs `dlnc train` on the cluster spark-submit names, the driver here
 * and the workers on its executors.
 */
public final class Train {
    private Train() {}

    public static void main(String[] args) {
        List<String> command = new ArrayList<>(List.of("train"));
        command.addAll(Arrays.asList(args));
        if (!command.contains("--master")) command.addAll(List.of("--master", SparkCluster.SUBMITTED));
        System.exit(Dlnc.run(command.toArray(String[]::new), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }
}
