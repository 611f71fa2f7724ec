package dln.runtime.io;

import static dln.runtime.io.Fixtures.bits;
import static dln.runtime.io.Fixtures.bytes;
import static dln.runtime.io.Fixtures.fixture;
import static dln.runtime.io.Fixtures.offsetOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reads files that NumPy wrote (see src/test/resources/io/make_fixtures.py) and writes what np.save writes. */
class NpyTest {
    @TempDir Path dir;

    @Nested class ReadsWhatNumPyWrites {
        @Test void float32InCOrder() throws IOException {
            Npy.Array a = Npy.read(fixture("f4.npy"));
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(a.integer()).isFalse();
            assertThat(bits(a.data())).containsExactly(bits(new float[] {1.5f, -2f, 0f, 3.25f, -0f, 1e-3f}));
        }

        @Test void float64RoundedToFloat32() throws IOException {
            Npy.Array a = Npy.read(fixture("f8.npy"));
            assertThat(a.data()).containsExactly((float) 0.1, -2.5f, 0f, 3e38f, Float.POSITIVE_INFINITY);
        }

        @Test void float16() throws IOException {
            assertThat(Npy.read(fixture("f2.npy")).data()).containsExactly(1f, -0f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY);
        }

        @Test void bigEndianFloat32() throws IOException {
            assertThat(Npy.read(fixture("f4_big_endian.npy")).data()).containsExactly(1.5f, -2f, Float.MIN_VALUE);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = ';', value = {
            "i4.npy; 2 2; -7 0 16777216 2147483648",
            "i8.npy; 3; -1 42 1099511627776",
            "u1.npy; 3 1; 0 1 255",
            "i1.npy; 3; -128 -1 127",
            "i2.npy; 3; -32768 5 32767",
            "u2.npy; 3; 0 1000 65535",
            "bool.npy; 2 2; 1 0 1 1",
            "v3.npy; 4; 0 1 2 3",
            "py2.npy; 2 3; 0 1 2 3 4 5",
        })
        void integersAsFloats(String name, String shape, String values) throws IOException {
            Npy.Array a = Npy.read(fixture(name));
            assertThat(a.integer()).isTrue();
            assertThat(a.shape()).containsExactly(longs(shape));
            float[] expected = new float[a.data().length];
            String[] words = values.split(" ");
            for (int i = 0; i < words.length; i++) expected[i] = Long.parseLong(words[i]);
            assertThat(a.data()).containsExactly(expected);
        }

        /** Rounded once to the nearest float32, as NumPy's astype(np.float32) rounds. */
        @Test void unsignedIntegers() throws IOException {
            assertThat(Npy.read(fixture("u4.npy")).data()).containsExactly(0f, 0x1p32f);
            assertThat(Npy.read(fixture("u8.npy")).data()).containsExactly(0f, 0x1p63f + 0x1p40f, 0x1p64f);
        }

        @Test void version2() throws IOException {
            Npy.Array a = Npy.read(fixture("v2.npy"));
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(a.data()).containsExactly(0, 1, 2, 3, 4, 5);
        }

        @Test void scalarAndEmpty() throws IOException {
            Npy.Array scalar = Npy.read(fixture("scalar.npy"));
            assertThat(scalar.shape()).isEmpty();
            assertThat(scalar.data()).containsExactly(3.5f);
            Npy.Array empty = Npy.read(fixture("empty.npy"));
            assertThat(empty.shape()).containsExactly(0, 3);
            assertThat(empty.data()).isEmpty();
        }

        @Test void fortranOrderWhereItIsTheSameAsC() throws IOException {
            assertThat(Npy.read(fixture("fortran_column.npy")).data()).containsExactly(0, 1, 2);
        }

        @Test void nanPayloadsBitForBit() throws IOException {
            assertThat(bits(Npy.read(fixture("nan_payloads.npy")).data()))
                    .containsExactly(0x7fc00000, 0x7f800001, 0xffc12345, 0x80000000, 0x00000001, 0x7f800000);
        }
    }

    @Nested class WritesWhatNumPyWrites {
        @ParameterizedTest
        @CsvSource({"f4.npy", "nan_payloads.npy", "scalar.npy", "empty.npy", "labels_i4.npy", "v2.npy"})
        void sameBytesAsNpSave(String name) throws IOException {
            Path out = dir.resolve(name);
            Npy.write(out, Npy.read(fixture(name)));
            // np.save writes version 1.0 whenever the header fits, as DLN does; v2.npy was forced to 2.0.
            byte[] expected = bytes(fixture(name.equals("v2.npy") ? "f4.npy" : name));
            if (name.equals("v2.npy")) expected = bytes(npSaved(out));
            assertThat(bytes(out)).isEqualTo(expected);
        }

        /** v2.npy holds arange(6).reshape(2, 3) as float32; np.save would write it as version 1.0. */
        private Path npSaved(Path written) throws IOException {
            byte[] header = Npy.header("<f4", new long[] {2, 3});
            ByteBuffer b = ByteBuffer.allocate(header.length + 24).order(ByteOrder.LITTLE_ENDIAN).put(header);
            for (int i = 0; i < 6; i++) b.putFloat(i);
            Path p = dir.resolve("np_saved.npy");
            Files.write(p, b.array());
            assertThat(new String(header, StandardCharsets.ISO_8859_1))
                    .startsWith("\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
                    .endsWith(" \n")
                    .hasSize(128);
            return p;
        }

        @Test void roundTripKeepsEveryBit() throws IOException {
            Random r = new Random(7);
            float[] data = new float[1000];
            for (int i = 0; i < data.length; i++) data[i] = Float.intBitsToFloat(r.nextInt());
            data[0] = -0f;
            data[1] = Float.intBitsToFloat(0x7fa00001); // a signalling NaN
            Path file = dir.resolve("x.npy");
            Npy.write(file, new Npy.Array(new long[] {10, 4, 25}, data, false));
            Npy.Array back = Npy.read(file);
            assertThat(back.shape()).containsExactly(10, 4, 25);
            assertThat(bits(back.data())).containsExactly(bits(data));
        }

        @Test void integersAsInt32() throws IOException {
            Path file = dir.resolve("labels.npy");
            Npy.write(file, new Npy.Array(new long[] {4}, new float[] {3, -1, 0, 16777215}, true));
            assertThat(new String(bytes(file), 10, 20, StandardCharsets.ISO_8859_1)).isEqualTo("{'descr': '<i4', 'fo");
            Npy.Array back = Npy.read(file);
            assertThat(back.integer()).isTrue();
            assertThat(back.ints()).containsExactly(3, -1, 0, 16777215);
        }

        @Test void refusesIntegersFloatCannotHoldExactly() {
            Npy.Array a = new Npy.Array(new long[] {2}, new float[] {1, 16777216}, true);
            assertThatThrownBy(() -> Npy.write(dir.resolve("x.npy"), a)).isInstanceOf(ArithmeticException.class)
                    .hasMessage("value 1.6777216E7 at flat index 1 is 2^24 or more in magnitude,"
                            + " where float32 no longer holds every integer exactly");
            assertThat(dir.resolve("x.npy")).doesNotExist();
        }
    }

    @Test void intsRefuseFractions() {
        assertThatThrownBy(() -> new Npy.Array(new long[] {2}, new float[] {1, 2.5f}, false).ints())
                .hasMessage("value 2.5 at flat index 1 is not a whole number");
        assertThatThrownBy(() -> new Npy.Array(new long[] {1}, new float[] {Float.NaN}, true).ints())
                .hasMessage("value NaN at flat index 0 is not a whole number");
    }

    @Test void arraysCheckTheirShape() {
        assertThatThrownBy(() -> new Npy.Array(new long[] {2, 3}, new float[5], false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("shape [2, 3] holds 6 values, but the data has 5");
    }

    @Nested class RefusesBrokenFiles {
        @Test void truncatedData() throws IOException {
            Path file = Fixtures.truncated(fixture("f4.npy"), 128 + 4 * 4 + 2, dir);
            assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte 128: the file ends after 4 of 6 values of shape [2, 3]");
        }

        @Test void truncatedHeader() throws IOException {
            Path file = Fixtures.truncated(fixture("f4.npy"), 60, dir);
            assertThatThrownBy(() -> Npy.read(file))
                    .hasMessage(file + ": byte 8: the header length is 118 bytes, but only 50 bytes follow it (is the file truncated?)");
        }

        @Test void emptyFile() throws IOException {
            Path file = Files.write(dir.resolve("x.npy"), new byte[0]);
            assertThatThrownBy(() -> Npy.read(file))
                    .hasMessage(file + ": byte 0: the file ends inside the magic string \\x93NUMPY of a .npy file");
        }

        @Test void badMagic() throws IOException {
            Path file = Files.write(dir.resolve("x.npy"), "PK\u0003\u0004 this is a zip".getBytes(StandardCharsets.ISO_8859_1));
            assertThatThrownBy(() -> Npy.read(file))
                    .hasMessage(file + ": byte 0: expected the magic string \\x93NUMPY that starts a .npy file, found PK\\x03\\x04 t");
        }

        @Test void unknownVersion() throws IOException {
            byte[] data = bytes(fixture("f4.npy"));
            data[6] = 4;
            Path file = Files.write(dir.resolve("x.npy"), data);
            assertThatThrownBy(() -> Npy.read(file))
                    .hasMessage(file + ": byte 6: format version 4.0 is not supported; DLN reads 1.0, 2.0 and 3.0");
        }

        @Test void headerLengthLies() throws IOException {
            byte[] data = bytes(fixture("f4.npy"));
            data[8] = 100; // 100 bytes instead of 118: the header stops inside the dict's padding
            Path shorter = Files.write(dir.resolve("shorter.npy"), data);
            assertThatThrownBy(() -> Npy.read(shorter)).hasMessage(shorter
                    + ": byte 134: 18 more bytes follow the 6 values of shape [2, 3]; expected the end of the file");
            data[8] = 50; // the header stops right after 'shape':
            Path cut = Files.write(dir.resolve("cut.npy"), data);
            assertThatThrownBy(() -> Npy.read(cut))
                    .hasMessage(cut + ": byte 60: expected a Python value, found the end of the header");
            data[9] = 1; // 306 bytes, more than the file has
            Path longer = Files.write(dir.resolve("longer.npy"), data);
            assertThatThrownBy(() -> Npy.read(longer))
                    .hasMessage(longer + ": byte 8: the header length is 306 bytes, but only 142 bytes follow it (is the file truncated?)");
        }

        @Test void hugeHeaderLength() throws IOException {
            byte[] data = bytes(fixture("v2.npy"));
            data[10] = 0x10; // 1 MiB and a bit
            Path file = Files.write(dir.resolve("x.npy"), data);
            assertThatThrownBy(() -> Npy.read(file))
                    .hasMessage(file + ": byte 8: the header length is 1048692 bytes, more than the 1048576 DLN accepts (is this a .npy file?)");
        }

        @Test void fortranOrder() {
            Path file = fixture("fortran.npy");
            assertThatThrownBy(() -> Npy.read(file)).hasMessage(file + ": byte " + offsetOf(file, "True")
                    + ": the array of shape [2, 3] is in Fortran (column-major) order; DLN reads C order only: save np.ascontiguousarray(a)");
        }

        @Test void unknownDtype() {
            Path file = fixture("complex.npy");
            assertThatThrownBy(() -> Npy.read(file)).hasMessage(file + ": byte " + offsetOf(file, "'<c8'")
                    + ": dtype '<c8' is not supported; DLN reads floats (f2, f4, f8), integers (i1, i2, i4, i8, u1, u2, u4, u8)"
                    + " and bool (b1), little-endian '<' or big-endian '>'");
        }

        @Test void structuredDtype() {
            Path file = fixture("structured.npy");
            assertThatThrownBy(() -> Npy.read(file)).hasMessage(file + ": byte " + offsetOf(file, "[(")
                    + ": structured arrays (a descr that lists fields) are not supported");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{'descr': '<f4', 'fortran_order': False}                              | 10 | the header has no 'shape'",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}       | 71 | unexpected key 'x' in the header, which holds exactly 'descr', 'fortran_order' and 'shape'",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }          | 64 | each dimension of the shape must be a whole number from 0 to 10^18, not -1",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }           | 61 | expected a whole number, found '2.5'",
            "{'descr': '<f4', 'fortran_order': False, 'shape': 2, }                | 60 | the shape must be a list, not the number 2",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }              | 61 | the shape must be a list, not the number 2",
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }                 | 44 | fortran_order must be true or false, not the number 0",
            "{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }             | 20 | dtype '=f4' is not supported; DLN reads floats (f2, f4, f8), integers (i1, i2, i4, i8, u1, u2, u4, u8) and bool (b1), little-endian '<' or big-endian '>'",
            "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)} | 27 | the key 'descr' appears twice",
            "{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }              | 26 | expected '}' or ',' in the header dict, found '''",
            "{'descr': '<f4', 'fortran_order': false, 'shape': (2,), }             | 44 | expected a Python value, found the name 'false'",
            "{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }              | 27 | expected '}' or ',' in the header dict, found 'f'",
            "[('descr', '<f4')]                                                    | 10 | expected the header dict to start with '{', found '['",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } extra      | 68 | expected the header to end after its dict, found 'e'",
        })
        void badHeaders(String dict, long offset, String message) throws IOException {
            Path file = npy(dict.strip(), new byte[8]);
            assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte " + offset + ": " + message);
        }

        @Test void deepNesting() throws IOException {
            Path file = npy("{'shape': " + "(".repeat(100) + ")".repeat(100) + "}", new byte[0]);
            assertThatThrownBy(() -> Npy.read(file)).hasMessage(file + ": byte 83: values nested more than 64 deep");
        }

        @Test void headerNotLatin1InVersion3() throws IOException {
            byte[] data = bytes(fixture("v3.npy"));
            int quote = (int) offsetOf(fixture("v3.npy"), "<i4");
            data[quote] = (byte) 0xff;
            Path file = Files.write(dir.resolve("x.npy"), data);
            assertThatThrownBy(() -> Npy.read(file)).hasMessage(file + ": byte " + quote + ": the text is not valid UTF-8");
        }

        /** A version 1.0 file with the given header dict, laid out as NumPy lays it out. */
        private Path npy(String dict, byte[] data) throws IOException {
            byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
            int padding = 64 - (10 + text.length + 1) % 64;
            ByteBuffer b = ByteBuffer.allocate(10 + text.length + padding + 1 + data.length).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (text.length + padding + 1)).put(text);
            for (int i = 0; i < padding; i++) b.put((byte) ' ');
            b.put((byte) '\n').put(data);
            return Files.write(dir.resolve("header.npy"), b.array());
        }
    }

    private static long[] longs(String words) {
        String[] w = words.split(" ");
        long[] out = new long[w.length];
        for (int i = 0; i < w.length; i++) out[i] = Long.parseLong(w[i]);
        return out;
    }
}
