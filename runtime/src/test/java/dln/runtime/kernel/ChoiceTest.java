package dln.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChoiceTest {
    @Test void aChoiceIsBuildOptionsOnTheKernelsOwnMacros() {
        Choice c = Choice.of("GEMM_ROWS", 8, "GEMM_COLS", 2);
        assertThat(c.options("dense_1_fwd")).isEqualTo("-D GEMM_COLS_dense_1_fwd=2 -D GEMM_ROWS_dense_1_fwd=8");
        assertThat(c).hasToString("GEMM_COLS=2 GEMM_ROWS=8").isEqualTo(Choice.of("GEMM_COLS", 2, "GEMM_ROWS", 8));
        assertThat(c.get("GEMM_ROWS")).isEqualTo(8);
        assertThatThrownBy(() -> c.get("TILE")).hasMessageContaining("no parameter TILE");
    }

    @Test void theSourceHoldsTheDefaultsEachOverridable() {
        C out = new C();
        Choice.of("GEMM_ROWS", 12).declare(out, "g");
        assertThat(out.toString()).isEqualTo("#ifndef GEMM_ROWS_g\n#define GEMM_ROWS_g 12\n#endif\n");
    }

    @Test void namesAreMacrosAndValuesPositive() {
        assertThatThrownBy(() -> Choice.of("rows", 4)).hasMessageContaining("not a parameter name: rows");
        assertThatThrownBy(() -> Choice.of("ROWS", 0)).hasMessageContaining("ROWS must be at least 1, not 0");
    }
}
