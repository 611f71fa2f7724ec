package dln.onnx;

import java.util.List;

/**
 * What an ONNX value is to the importer, per example (the batch axis dropped): a tensor of the DLN
 * model, a constant, or one of the intermediate forms PyTorch's exports go through around
 * recurrent layers (time-major sequences, the raw outputs of LSTM/GRU/RNN), or a failure that
 * says why the value has no DLN form.
 */
sealed interface ImportValue {
    /**
     * DLN value {@code id} (a model input or a layer's output). {@code shape} is the ONNX shape,
     * {@code dln} the DLN one; they differ only after a global pool (ONNX [C, 1, 1], DLN [C]).
     */
    record Act(int id, long[] shape, long[] dln, boolean ids) implements ImportValue {
        boolean plain() { return java.util.Arrays.equals(shape, dln); }

        Act as(long[] onnxShape) { return new Act(id, onnxShape, dln, ids); }
    }

    /** A constant: dimensions and float or integer values (row-major). */
    record Const(long[] dims, float[] floats, long[] longs) implements ImportValue {
        int size() { return floats != null ? floats.length : longs.length; }

        float[] asFloats() {
            if (floats != null) return floats;
            float[] f = new float[longs.length];
            for (int i = 0; i < f.length; i++) f[i] = longs[i];
            return f;
        }

        long[] asLongs() {
            if (longs != null) return longs;
            long[] l = new long[floats.length];
            for (int i = 0; i < l.length; i++) l[i] = (long) floats[i];
            return l;
        }
    }

    /** The output of ConstantOfShape with value 0: zeros of whatever shape (an initial recurrent state). */
    record Zeros() implements ImportValue {}

    /** Output {@code output} (0 Y, 1 Y_h, 2 Y_c) of a recurrent node, mapped to {@code layer}. */
    record Rec(ImportLayer layer, int output, int dirs, long hidden, long steps) implements ImportValue {}

    /** Y transposed to [T, N, D, H], which a Reshape to [0, 0, -1] makes a time-major sequence. */
    record RecSwapped(Rec y) implements ImportValue {}

    /** One direction's final state, Y_h[dir]. */
    record Half(Rec h, int dir) implements ImportValue {}

    /** A DLN sequence with time first, [T, N, F] in ONNX: what ONNX's recurrent operators read. */
    record TimeMajor(Act sequence) implements ImportValue {}

    /**
     * Every step of recurrent layer output {@code y}, time first ([T, N, D·H]) or batch first, not
     * yet taken as the layer's sequence: a Gather of the last step makes it the final state instead.
     */
    record RecSteps(Rec y, boolean timeFirst) implements ImportValue {}

    /** No DLN form, for these reasons (each names its node). */
    record Failed(List<String> causes) implements ImportValue {}
}
