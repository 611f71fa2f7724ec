package dln.runtime.data;

import static dln.runtime.data.Fixtures.DIGITS;
import static dln.runtime.data.Fixtures.fixture;
import static dln.runtime.data.Fixtures.installed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CsvTest {
    /** The UCI handwritten digits as scikit-learn ships them: no header, 64 pixels (0 to 16), then the label. */
    @Nested class Digits {
        final Path file = installed(DIGITS, "python3-sklearn");

        /**
         * Expected values computed independently with Python:
         * {@code rows = list(csv.reader(gzip.open(".../digits.csv.gz", "rt")))}: 1797 rows of 65 columns,
         * {@code sum(float(v) for r in rows for v in r[:64])} = 561718, the first row's pixels sum to 294,
         * the first label is 0 and the last 8; each of the ten classes has 174 to 183 rows.
         */
        @Test void readsAsPythonDoes() {
            Dataset d = Csv.read(file, false, 64, new long[] {1, 8, 8});
            assertThat(d.count()).isEqualTo(1797);
            assertThat(d.inputShape()).containsExactly(1, 8, 8);
            assertThat(d.labels()).isTrue();
            assertThat(d.label(0)).isZero();
            assertThat(d.label(1796)).isEqualTo(8);
            assertThat(d.classes()).isEqualTo(10);
            double sum = 0, first = 0;
            for (int i = 0; i < d.inputs().length; i++) {
                sum += d.inputs()[i];
                if (i < 64) first += d.inputs()[i];
            }
            assertThat(sum).isEqualTo(561_718.0);
            assertThat(first).isEqualTo(294.0);
            assertThat(d.inputs()).startsWith(0, 0, 5, 13, 9, 1, 0, 0);
        }

        @Test void theLabelColumnDefaultsToTheLast() {
            Dataset d = Csv.read(file, false, (Integer) null, null);
            assertThat(d.inputShape()).containsExactly(64);
            assertThat(d.count()).isEqualTo(1797);
            assertThat(d.origin().apply(2)).isEqualTo(file + ":3: column 65");
        }

        @Test void aLabelOutsideTheModelsClasses() {
            Dataset d = Csv.read(file, false, 64, null);
            assertThatThrownBy(() -> d.checkLabels(8))
                    .hasMessage(file + ":9: column 65: label 8 is outside [0, 8): the model has 8 classes, labelled 0 to 7");
        }
    }

    @Nested class Layout {
        @Test void headerQuotesCrLfAndBlankLines() {
            Path file = fixture("iris-like.csv");
            Dataset d = Csv.read(file, true, "species", null);
            assertThat(d.count()).isEqualTo(3);
            assertThat(d.inputs()).containsExactly(5.1f, 0.2f, 4.9f, 0.2f, 6.3f, 1.8f);
            assertThat(d.targets()).containsExactly(0, 1, 2);
            assertThat(d.origin().apply(1)).isEqualTo(file + ":4: column 3 (\"species\")");
            assertThat(Csv.read(file, true, 2, null)).isEqualTo(d);
        }

        @Test void targetColumnsByIndexOrName() {
            Path file = fixture("targets.csv");
            Dataset d = Csv.read(file, true, new int[] {3, 0}, null);
            assertThat(d.labels()).isFalse();
            assertThat(d.targetWidth()).isEqualTo(2);
            assertThat(d.targets()).containsExactly(-1, 0.5f, -2, 1.5f);
            assertThat(d.inputs()).containsExactly(1, 2, 3, 4);
            assertThat(Csv.read(file, true, Csv.Targets.columns(List.of("y2", 0.0)), 1, null)).isEqualTo(d);
        }

        @Test void scaleAppliesToInputsOnly() {
            Dataset d = Csv.read(fixture("targets.csv"), true, Csv.Targets.columns(List.of(0, 3)), 0.5, new long[] {2});
            assertThat(d.inputs()).containsExactly(0.5f, 1, 1.5f, 2);
            assertThat(d.targets()).containsExactly(0.5f, -1, 1.5f, -2);
        }

        @Test void gzippedCsv() {
            Dataset d = Csv.read(fixture("tiny.csv.gz"), false, 2, null);
            assertThat(d.inputs()).containsExactly(1, 2, 3, 4);
            assertThat(d.targets()).containsExactly(0, 1);
        }
    }

    @Nested class BrokenFiles {
        @Test void aLetterInTheThirdRow() {
            Path file = fixture("letter.csv");
            assertThatThrownBy(() -> Csv.read(file, true, "label", null))
                    .isInstanceOf(DataError.class)
                    .hasMessage(file + ":4: column 2 (\"b\"): \"x\" is not a number");
        }

        @Test void raggedRows() {
            Path file = fixture("ragged.csv");
            assertThatThrownBy(() -> Csv.read(file, false, 2, null))
                    .isInstanceOf(DataError.class)
                    .hasMessage(file + ":3: this row has 2 columns, but the first row (line 1) has 3");
        }

        @Test void anEmptyCell() {
            Path file = fixture("empty-cell.csv");
            assertThatThrownBy(() -> Csv.read(file, false, 2, null))
                    .hasMessage(file + ":2: column 2: the cell is empty; every cell must hold a number");
        }

        // Each would be infinite as a float32 (1e400 even as a double) and make the loss NaN.
        @Test void numbersBeyondFloat32sRange() {
            Path input = fixture("beyond-float32.csv"), target = fixture("beyond-float32-target.csv"), tiny = fixture("tiny.csv.gz");
            assertThatThrownBy(() -> Csv.read(input, false, 2, null))
                    .isInstanceOf(DataError.class)
                    .hasMessage(input + ":2: column 2: 1e400 is beyond float32's range (±3.4028235e38); the data must be finite float32 numbers");
            assertThatThrownBy(() -> Csv.read(target, true, new int[] {0}, null))
                    .hasMessage(target + ":3: column 1 (\"y\"): -3.5e38 is beyond float32's range (±3.4028235e38);"
                            + " the data must be finite float32 numbers");
            // inputs are scaled first: 3 · 1e38 fits, 4 · 1e38 does not
            assertThatThrownBy(() -> Csv.read(tiny, false, Csv.Targets.label(null), 1e38, null))
                    .hasMessage(tiny + ":2: column 2: 4 times the scale 1.0E38 is beyond float32's range (±3.4028235e38);"
                            + " the data must be finite float32 numbers");
        }

        @Test void labelsOutOfRange() {
            Path file = fixture("out-of-range.csv");
            Dataset d = Csv.read(file, false, 2, null);
            assertThat(d.classes()).isEqualTo(11);
            assertThatThrownBy(() -> d.checkLabels(10))
                    .isInstanceOf(DataError.class)
                    .hasMessage(file + ":3: column 3: label 10 is outside [0, 10): the model has 10 classes, labelled 0 to 9");
        }

        @Test void aLabelThatIsNotAClassIndex() {
            Path file = fixture("fractional-label.csv");
            assertThatThrownBy(() -> Csv.read(file, false, 2, null))
                    .hasMessage(file + ":2: column 3: label 1.5 is not a class index; label_column holds whole numbers 0, 1, 2, ...");
        }

        @Test void aQuoteThatDoesNotClose() {
            Path file = fixture("open-quote.csv");
            assertThatThrownBy(() -> Csv.read(file, false, 2, null))
                    .hasMessage(file + ":2: column 2: the quote opened at character 3 is not closed on this line");
        }

        @Test void aHeaderButNoRows() {
            Path file = fixture("header-only.csv");
            assertThatThrownBy(() -> Csv.read(file, true, 2, null))
                    .hasMessage(file + ": the file holds no rows of data after its header");
        }

        @Test void rowsThatDoNotFitTheModel() {
            Path file = fixture("letter.csv");
            assertThatThrownBy(() -> Csv.read(file, true, 2, new long[] {1, 28, 28}))
                    .hasMessage(file + ":1: the rows have 2 input columns (3 less the label column), which do not fit"
                            + " the model's input shape [1, 28, 28] (784 values)");
        }

        @Test void aLabelColumnThatIsNotThere() {
            Path file = fixture("letter.csv");
            assertThatThrownBy(() -> Csv.read(file, true, 3, null))
                    .hasMessage(file + ":1: label_column 3 is not a column: the rows have 3 columns, which label_column numbers 0 to 2");
            assertThatThrownBy(() -> Csv.read(file, true, "y", null))
                    .hasMessage(file + ":1: label_column \"y\" is not in the header, which names \"a\", \"b\", \"label\"");
            assertThatThrownBy(() -> Csv.read(fixture("ragged.csv"), false, "y", null))
                    .hasMessageEndingWith(":1: label_column \"y\" is a column name, but the file has no header (header: false);"
                            + " give the column's index, counting from 0");
        }

        @Test void aGzipStreamCutShort() {
            Path file = fixture("cut.csv.gz");
            // zlib.decompressobj(31).decompress(open("cut.csv.gz", "rb").read()) in Python gives 536 whole lines.
            assertThatThrownBy(() -> Csv.read(file, false, 2, null))
                    .isInstanceOf(DataError.class)
                    .hasMessage(file + ":537: the data breaks off at this line: the gzip data is cut short; is the file truncated?");
        }

        @Test void aMissingFile() {
            Path file = fixture("letter.csv").resolveSibling("no-such.csv");
            assertThatThrownBy(() -> Csv.read(file, true, 2, null)).isInstanceOf(DataError.class).hasMessage(file + ": no such file");
        }
    }
}
