package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Tunable;
import java.util.ArrayList;
import java.util.List;

/**
 * The target channels a convolution's work-item computes ({@link FlatConv}, {@link ConvRows}): a
 * block size that the source takes as the build option {@code CONV_CHANNELS_<kernel>}, so that a
 * tuner may pick it per device ({@link Tunable}).
 */
final class ChannelBlock {
    static final String PARAM = "CONV_CHANNELS";
    private static final int[] SIZES = {2, 3, 4, 6, 8, 12, 16};

    private ChannelBlock() {}

    static String macro(String kernel) { return Choice.macro(PARAM, kernel); }

    static Choice of(int channels) { return Choice.of(PARAM, channels); }

    /** The defaults first, then the usual sizes up to the channel count (a larger block only computes copies of the last channel). */
    static List<Choice> candidates(int defaults, long channels) {
        List<Choice> all = new ArrayList<>(List.of(of(defaults)));
        for (int size : SIZES) if (size <= channels && size != defaults) all.add(of(size));
        return all;
    }

    static void declare(C out, String kernel, int defaults) {
        out.line("// The block size is a build option (-D NAME=value) that a tuner may choose; this is the default.");
        of(defaults).declare(out, kernel);
    }

    /** The epilogue applied to each channel i of the block, whose accumulators are {@code accumulators} (in terms of i). */
    static void epilogue(C out, Epilogue e, String rows, List<String> accumulators, String type, long channels) {
        if (e.none()) return;
        out.line("#pragma unroll");
        out.line("for (int i = 0; i < %s; i++) {", rows);
        e.openclInPlace(out, accumulators, type, "min(t0 + i, %d)".formatted(channels - 1));
        out.line("}");
    }
}
