package dln.runtime.data;

import static dln.runtime.data.Fixtures.FASHION;
import static dln.runtime.data.Fixtures.fixture;
import static dln.runtime.data.Fixtures.installed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dln.runtime.io.DataException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxTest {
    private static final long[] IMAGE = {1, 28, 28};
    /** Far more than reading a small file needs, far less than the arrays a corrupt header claims. */
    private static final long ALLOCATION_LIMIT = 64 << 20;

    /** The bytes the current thread allocates while {@code read} runs, as HotSpot counts them. */
    static long allocatedBy(Runnable read) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        read.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /** The real Fashion-MNIST test set, as Debian's dataset-fashion-mnist installs it (gzipped). */
    @Nested @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class FashionMnist {
        Path images, labels;
        Dataset test;

        @BeforeAll void read() {
            images = installed(FASHION.resolve("t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
            labels = installed(FASHION.resolve("t10k-labels-idx1-ubyte.gz"), "dataset-fashion-mnist");
            test = Idx.read(images, labels, 1, IMAGE);
        }

        @Test void tenThousandImagesOfTenClasses() {
            assertThat(test.count()).isEqualTo(10_000);
            assertThat(test.inputShape()).containsExactly(1, 28, 28);
            assertThat(test.labels()).isTrue();
            assertThat(test.targetWidth()).isEqualTo(1);
            assertThat(test.classes()).isEqualTo(10);
            assertThat(test.checkLabels(10)).isSameAs(test);
        }

        /**
         * Expected values computed independently with Python:
         * {@code b = gzip.open(".../t10k-images-idx3-ubyte.gz").read()[16:]}; {@code sum(b)} = 573469082,
         * {@code sum(b[:784])} = 33456, {@code b[14 * 28 + 14]} = 110; the first labels
         * {@code list(gzip.open(".../t10k-labels-idx1-ubyte.gz").read()[8:13])} = [9, 2, 1, 1, 6].
         */
        @Test void pixelsAndLabelsAsPythonReadsThem() {
            double sum = 0, first = 0;
            float[] x = test.inputs();
            for (int i = 0; i < x.length; i++) {
                sum += x[i];
                if (i < 784) first += x[i];
            }
            assertThat(sum).isEqualTo(573_469_082.0);
            assertThat(first).isEqualTo(33_456.0);
            assertThat(test.inputs()[14 * 28 + 14]).isEqualTo(110f);
            assertThat(test.targets()).startsWith(9, 2, 1, 1, 6);
        }

        /** Without a labels file (an autoencoder's data): the same images, no targets. */
        @Test void imagesWithoutLabels() {
            Dataset alone = Idx.read(images, null, 1, IMAGE);
            assertThat(alone.count()).isEqualTo(10_000);
            assertThat(alone.targetWidth()).isZero();
            assertThat(alone.labels()).isFalse();
            assertThat(java.util.Arrays.equals(alone.inputs(), test.inputs())).as("the same pixels").isTrue();
            assertThat(alone.origin().apply(3)).endsWith("t10k-images-idx3-ubyte.gz: image 3");
        }

        @Test void scaledAndFlattened() {
            Dataset flat = Idx.read(images, labels, 1.0 / 255, new long[] {784});
            assertThat(flat.inputShape()).containsExactly(784);
            assertThat(flat.inputs()[14 * 28 + 14]).isCloseTo(110f / 255, within(1e-7f));
        }

        // Unsigned bytes stay bytes in memory (a quarter of the floats), and every example comes out
        // as the very float the whole file converted at once gives, (float) (b · scale), through a
        // split (select) and a slice too.
        @Test void bytesStayBytesAndComeOutAsTheScaledFloats() {
            Dataset flat = Idx.read(images, labels, 1.0 / 255, new long[] {784});
            assertThat(flat.values()).isInstanceOf(Values.Bytes.class);
            float[] x = flat.inputs(), row = new float[784];
            assertThat(x[14 * 28 + 14]).isEqualTo((float) (110 * (1.0 / 255)));
            Dataset picked = flat.select(new int[] {9_999, 3}).slice(1, 2);
            assertThat(picked.values()).isInstanceOf(Values.Bytes.class);
            picked.copyInputs(0, row, 0);
            assertThat(row).containsExactly(java.util.Arrays.copyOfRange(x, 3 * 784, 4 * 784));
        }

        @Test void aLabelOutsideTheModelsClassesIsFoundAtItsByte() {
            assertThatThrownBy(() -> test.checkLabels(5))
                    .isInstanceOf(DataError.class)
                    .hasMessage(labels + ": byte 8: label 9 is outside [0, 5): the model has 5 classes, labelled 0 to 4");
        }

        @Test void imagesThatDoNotFitTheModel() {
            assertThatThrownBy(() -> Idx.read(images, labels, 1, new long[] {3, 32, 32}))
                    .isInstanceOf(DataException.class)
                    .hasMessage(images + ": byte 8: each image has shape [28, 28] (784 values), which does not fit the model's"
                            + " input shape [3, 32, 32] (3072 values)");
        }

        @Test void imagesAndLabelsSwapped() {
            assertThatThrownBy(() -> Idx.read(labels, images, 1, IMAGE))
                    .hasMessage(labels + ": byte 8: each image has shape [] (1 value), which does not fit the model's input shape"
                            + " [1, 28, 28] (784 values); is this a labels file?");
        }

        @Test void aMissingFileSaysWhichPackageInstallsIt() {
            Path missing = FASHION.resolve("train-images-idx3-ubyte");
            assertThatThrownBy(() -> Idx.read(missing, labels, 1, IMAGE))
                    .isInstanceOf(DataError.class)
                    .hasMessage(missing + ": no such file; it comes with a Debian package: install it with"
                            + " `apt-get install dataset-fashion-mnist`");
        }
    }

    @Nested class EveryElementType {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"ubyte", "byte", "short", "int", "float", "double"})
        void readsBigEndianValues(String type) {
            Dataset d = Idx.read(fixture("tiny-" + type + "-images.idx"), fixture("tiny-labels-idx1-ubyte"), 1, null);
            assertThat(d.inputShape()).containsExactly(2, 2);
            assertThat(d.inputs()).containsExactly(0, 1, 2, 3, 10, 20, 30, 40, 100, 110, 120, 127);
            assertThat(d.targets()).containsExactly(2, 0, 1);
        }

        @Test void gzipIsRecognisedByItsMagicBytesNotItsName() {
            Dataset d = Idx.read(fixture("tiny-images-gzipped.idx"), fixture("tiny-labels-idx1-ubyte"), 0.5, new long[] {4});
            assertThat(d.inputs()).startsWith(0, 0.5f, 1, 1.5f, 5);
        }

        @Test void floatLabelsThatAreWholeNumbers() {
            Dataset d = Idx.read(fixture("tiny-ubyte-images.idx"), fixture("tiny-labels-float.idx"), 1, null);
            assertThat(d.targets()).containsExactly(2, 0, 1);
        }
    }

    @Nested class BrokenFiles {
        final Path images = fixture("tiny-ubyte-images.idx"), labels = fixture("tiny-labels-idx1-ubyte");

        @Test void truncated() {
            Path file = fixture("truncated-images-idx3-ubyte");
            assertThatThrownBy(() -> Idx.read(file, labels, 1, null))
                    .isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte 26: the file ends after 10 of the 12 bytes of data that its shape [3, 2, 2]"
                            + " promises (2 of 3 images complete); is it truncated?");
        }

        @Test void gzipStreamCutShort() {
            // zlib.decompressobj(31).decompress(open("cut-images-idx3-ubyte.gz", "rb").read()) in Python gives 3593 bytes.
            Path file = fixture("cut-images-idx3-ubyte.gz");
            assertThatThrownBy(() -> Idx.read(file, fixture("fifty-labels-idx1-ubyte"), 1, null))
                    .isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte 3593: the file ends after 3577 of the 39200 bytes of data that its shape [50, 28, 28]"
                            + " promises (4 of 50 images complete); is it truncated? (bytes of the decompressed data)");
        }

        @Test void badMagic() {
            Path file = fixture("png-magic.idx");
            assertThatThrownBy(() -> Idx.read(file, labels, 1, null))
                    .isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte 0: expected an IDX magic number: 00 00, the element type (08 ubyte, 09 byte,"
                            + " 0b short, 0c int, 0d float, 0e double), the number of dimensions (00 00 08 03 for images,"
                            + " 00 00 08 01 for labels), found 89 50 4e 47 (is this an IDX file?)");
        }

        @Test void unknownElementType() {
            Path file = fixture("type-07.idx");
            assertThatThrownBy(() -> Idx.read(file, labels, 1, null))
                    .hasMessageStartingWith(file + ": byte 2: unknown element type 07; expected an IDX magic number");
        }

        @Test void bytesAfterTheData() {
            Path file = fixture("trailing-images.idx");
            assertThatThrownBy(() -> Idx.read(file, labels, 1, null))
                    .hasMessage(file + ": byte 28: 2 more bytes follow the 12 values of shape [3, 2, 2]; expected the end of the file");
        }

        @Test void fewerLabelsThanImages() {
            Path file = fixture("two-labels-idx1-ubyte");
            assertThatThrownBy(() -> Idx.read(images, file, 1, null))
                    .isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte 4: the file holds 2 labels, but " + images + " holds 3 images");
        }

        @Test void labelsOutOfRange() {
            Path file = fixture("tiny-labels-10.idx");
            Dataset d = Idx.read(images, file, 1, null);
            assertThatThrownBy(() -> d.checkLabels(10))
                    .hasMessage(file + ": byte 9: label 10 is outside [0, 10): the model has 10 classes, labelled 0 to 9");
        }

        @Test void fractionalLabel() {
            Path file = fixture("tiny-labels-half.idx");
            assertThatThrownBy(() -> Idx.read(images, file, 1, null))
                    .hasMessage(file + ": byte 12: label 0.5 is not a whole number; labels are class indices");
        }

        @Test void imagesGivenAsLabels() {
            assertThatThrownBy(() -> Idx.read(images, images, 1, null))
                    .hasMessage(images + ": byte 3: a labels file has one dimension, [count], but this one has shape [3, 2, 2];"
                            + " is this an images file?");
        }

        // NaN, or a double that float32 cannot hold, would make the loss NaN with no word of why.
        @Test void valuesThatAreNotFiniteFloat32Numbers() {
            Path nan = fixture("nan-float-images.idx"), huge = fixture("huge-double-images.idx");
            assertThatThrownBy(() -> Idx.read(nan, labels, 1, null))
                    .isInstanceOf(DataException.class)
                    .hasMessage(nan + ": byte 44: image 1, value 3: the value is NaN; the data must be finite numbers");
            assertThatThrownBy(() -> Idx.read(huge, labels, 1, null))
                    .hasMessage(huge + ": byte 80: image 2, value 0: the value is +Infinity, or a number beyond float32's range"
                            + " (±3.4028235e38) that became infinite in float32; the data must be finite numbers");
            // finite in the file, beyond float32 once scaled: 35 · 1e37 already; image 1's value 3 is 40
            Path ubytes = fixture("tiny-ubyte-images.idx"), floats = fixture("tiny-float-images.idx");
            assertThatThrownBy(() -> Idx.read(ubytes, labels, 1e37, null))
                    .hasMessage(ubytes + ": byte 16: the scale 1.0E37 makes a byte of 35 beyond float32's range (±3.4028235e38);"
                            + " the data must be finite numbers");
            assertThatThrownBy(() -> Idx.read(floats, labels, 1e37, null))
                    .hasMessage(floats + ": byte 44: image 1, value 3: the value is +Infinity, or a number beyond float32's range"
                            + " (±3.4028235e38) that became infinite in float32 (times the scale 1.0E37); the data must be finite numbers");
        }

        // Found by IdxFuzzTest (IdxFuzzTestInputs/readsOrRefuses/crash-3593bd6c...): dimensions [3, 117440514, 2]
        // in a 28-byte file made the reader allocate 704,643,084 floats before finding that the data was not there.
        @Test void aShapeThatPromisesMoreThanTheFileHoldsIsRefusedBeforeAllocating(@TempDir Path dir) throws IOException {
            Path file = Files.write(dir.resolve("huge.idx"), HexFormat.of().parseHex("00000903" + "00000003" + "07000002" + "00000002"
                    + "000102030a141e28646e787f"));
            long allocated = allocatedBy(() -> assertThatThrownBy(() -> Idx.read(file, labels, 1, null))
                    .isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte 28: the file ends after 12 of the 704643084 bytes of data that its shape"
                            + " [3, 117440514, 2] promises (0 of 3 images complete); is it truncated?"));
            assertThat(allocated).as("bytes allocated reading a 28-byte file").isLessThan(ALLOCATION_LIMIT);
        }

        @Test void gzipDataIsHeldToWhatItsSizeCanInflateTo(@TempDir Path dir) throws IOException {
            ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
                out.write(HexFormat.of().parseHex("00000803" + "3b9aca00" + "00000001" + "00000001" + "01020304"));
            }
            Path file = Files.write(dir.resolve("huge.idx.gz"), gzipped.toByteArray());
            Path labels = Files.write(dir.resolve("labels.idx"), HexFormat.of().parseHex("00000801" + "3b9aca00"));
            long allocated = allocatedBy(() -> assertThatThrownBy(() -> Idx.read(file, labels, 1, null))
                    .isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte 20: the file ends after 4 of the 1000000000 bytes of data that its shape"
                            + " [1000000000, 1, 1] promises (4 of 1000000000 images complete); is it truncated?"
                            + " (bytes of the decompressed data)"));
            assertThat(allocated).as("bytes allocated reading a %d-byte file", gzipped.size()).isLessThan(ALLOCATION_LIMIT);
        }

        @Test void missingFile() {
            Path file = images.resolveSibling("no-such-file.idx");
            assertThatThrownBy(() -> Idx.read(file, labels, 1, null))
                    .isInstanceOf(DataError.class)
                    .hasMessage(file + ": no such file");
        }
    }
}
