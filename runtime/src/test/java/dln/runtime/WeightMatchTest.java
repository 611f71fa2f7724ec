package dln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.io.Safetensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How tensors named by DLN or by PyTorch match a model's parameters (cli's PyTorchNamesTest runs real PyTorch files). */
class WeightMatchTest {
    private static final List<WeightMatch.Parameter> LSTM = List.of(
            new WeightMatch.Parameter("lstm_1.weight_ih", new long[] {8, 3}),
            new WeightMatch.Parameter("lstm_1.bias_hh_reverse", new long[] {8}),
            new WeightMatch.Parameter("dense_1.weight", new long[] {1, 2}));

    private static Safetensors.Tensor zeros(long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return new Safetensors.Tensor(shape, new float[(int) n]);
    }

    private static Map<String, Safetensors.Tensor> tensors(Object... nameThenShape) {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < nameThenShape.length; i += 2) out.put((String) nameThenShape[i], zeros((long[]) nameThenShape[i + 1]));
        return out;
    }

    @Test void pyTorchsLayerZeroNamesMatchDlnsNames() {
        var t = tensors("lstm_1.weight_ih_l0", new long[] {8, 3}, "lstm_1.bias_hh_l0_reverse", new long[] {8}, "dense_1.weight", new long[] {1, 2});
        WeightMatch m = WeightMatch.of(LSTM, t, Map.of());
        assertThat(m.ok()).isTrue();
        assertThat(m.matched()).containsExactly(Map.entry("lstm_1.weight_ih", "lstm_1.weight_ih_l0"),
                Map.entry("lstm_1.bias_hh_reverse", "lstm_1.bias_hh_l0_reverse"), Map.entry("dense_1.weight", "dense_1.weight"));
        assertThat(m.counts()).isEqualTo("3 matched");
    }

    @Test void bothNamesForOneParameterAreAmbiguous() {
        var t = tensors("lstm_1.weight_ih", new long[] {8, 3}, "lstm_1.weight_ih_l0", new long[] {8, 3},
                "lstm_1.bias_hh_reverse", new long[] {8}, "dense_1.weight", new long[] {1, 2});
        WeightMatch m = WeightMatch.of(LSTM, t, Map.of());
        assertThat(m.ok()).isFalse();
        assertThat(m.failure("w.safetensors", "M")).isEqualTo("""
                w.safetensors: these weights do not fit model M (1 ambiguous), so none were loaded:
                  STATUS     PARAMETER         EXPECTED  TENSOR                                 FOUND   NOTE
                  ambiguous  lstm_1.weight_ih  [8, 3]    lstm_1.weight_ih, lstm_1.weight_ih_l0  [8, 3]  DLN's and PyTorch's names for one parameter: keep one""");
    }

    @Test void aStackedLayersSecondLayerIsRefusedNamingIt() {
        var t = tensors("lstm_1.weight_ih_l0", new long[] {8, 3}, "lstm_1.bias_hh_l0_reverse", new long[] {8}, "dense_1.weight", new long[] {1, 2},
                "lstm_1.weight_ih_l1", new long[] {8, 4});
        WeightMatch m = WeightMatch.of(LSTM, t, Map.of());
        assertThat(m.ok()).isFalse();
        assertThat(m.table(true)).isEqualTo("""
                  STATUS      PARAMETER  EXPECTED  TENSOR               FOUND   NOTE
                  unexpected  -          -         lstm_1.weight_ih_l1  [8, 4]  layer 1 of a stacked PyTorch rnn/lstm/gru: DLN's have one layer (stack two in the .dln)
                """);
    }

    @Test void integerTensorsAndTheStepCounterAreIgnoredWhateverTheirDtype() {
        var t = tensors("lstm_1.weight_ih", new long[] {8, 3}, "lstm_1.bias_hh_reverse", new long[] {8}, "dense_1.weight", new long[] {1, 2},
                "embeddings.position_ids", new long[] {1, 4}, "bn.num_batches_tracked", new long[] {});
        WeightMatch m = WeightMatch.of(LSTM, t, Map.of("embeddings.position_ids", "I64"));
        assertThat(m.ok()).isTrue();
        assertThat(m.counts()).isEqualTo("3 matched, 2 ignored");
        assertThat(m.rows().subList(3, 5)).extracting(WeightMatch.Row::note).containsExactly("integers, not weights", "batch norm's step counter");
        assertThat(m.matched()).doesNotContainKeys("embeddings.position_ids", "bn.num_batches_tracked");
    }

    @Test void anIntegerTensorUnderAParametersNameIsThatParameter() {
        var t = tensors("lstm_1.weight_ih", new long[] {8, 3}, "lstm_1.bias_hh_reverse", new long[] {8}, "dense_1.weight", new long[] {1, 2});
        WeightMatch m = WeightMatch.of(LSTM, t, Map.of("dense_1.weight", "I32"));
        assertThat(m.matched()).containsKey("dense_1.weight");
    }

    @Test void everyProblemIsListedOnceInTheModelsOrderThenTheFilesOrder() {
        var t = tensors("extra", new long[] {2}, "lstm_1.weight_ih_l0", new long[] {3, 8}, "dense_1.weight", new long[] {1, 2});
        WeightMatch m = WeightMatch.of(LSTM, t, Map.of("dense_1.weight", "F16"));
        assertThat(m.counts()).isEqualTo("1 matched, 1 missing, 1 wrong shape, 1 unexpected");
        assertThat(m.table(false)).isEqualTo("""
                  STATUS       PARAMETER               EXPECTED  TENSOR               FOUND       NOTE
                  wrong shape  lstm_1.weight_ih        [8, 3]    lstm_1.weight_ih_l0  [3, 8]
                  missing      lstm_1.bias_hh_reverse  [8]       -                    -
                  matched      dense_1.weight          [1, 2]    dense_1.weight       [1, 2] F16
                  unexpected   -                       -         extra                [2]
                """);
    }

    @Test void namesThatOnlyLookLikePyTorchsStayAsTheyAre() {
        assertThat(PyTorchNames.recurrent("lstm_1.weight_ih_l0_reverse")).isEqualTo(new PyTorchNames.Recurrent("lstm_1.weight_ih_reverse", "0"));
        assertThat(PyTorchNames.recurrent("weight_hh_l12")).isEqualTo(new PyTorchNames.Recurrent("weight_hh", "12"));
        assertThat(PyTorchNames.recurrent("lstm_1.weight_ih_l00")).isNull();
        assertThat(PyTorchNames.recurrent("lstm_1.weight_l0")).isNull();
        assertThat(PyTorchNames.recurrent("block_l0.weight")).isNull();
        assertThat(PyTorchNames.stepCounter("my_num_batches_tracked")).isFalse();
    }
}
