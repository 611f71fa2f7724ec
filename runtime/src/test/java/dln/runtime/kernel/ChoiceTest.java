package dln.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

    @Test void aGemmsDefaultsAreItsFirstCandidateAndItsDefaultGlobalSize() {
        for (Gemm g : List.of(new Gemm("g", false, true, Dim.batch(1), Dim.of(10), Dim.of(20), 20, 20, 10, 1, 0),
                new Gemm("g", true, false, Dim.of(10), Dim.of(40), Dim.batch(1), 10, 40, 40, 1, 0))) {
            assertThat(g.candidates().get(0)).isEqualTo(g.defaults());
            assertThat(g.candidates()).doesNotHaveDuplicates();
            assertThat(g.global(37)).containsExactly(g.global(37, g.defaults()));
            assertThat(g.named("h").shape()).isEqualTo(g.shape());
            assertThat(g.named("h").name()).isEqualTo("h");
        }
        // the dot-product block 6 x 4 by default: 10 columns in 3 blocks of 4, 37 rows in 7 of 6
        Gemm dot = new Gemm("g", false, true, Dim.batch(1), Dim.of(10), Dim.of(20), 20, 20, 10, 1, 0);
        assertThat(dot.global(37)).containsExactly(3, 7);
        assertThat(dot.global(37, Choice.of("GEMM_ROWS", 2, "GEMM_COLS", 4))).containsExactly(3, 19);
        assertThat(dot.shape()).isEqualTo("gemm A*B^T M=batch N=10 K=20 lda=20 ldb=20 ldc=10 alpha=1.0 beta=0.0");
    }
}
