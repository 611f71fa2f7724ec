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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reads files laid out as the reference writes them (see src/test/resources/io/make_fixtures.py) and writes the same bytes. */
class SafetensorsTest {
    @TempDir Path dir;

    @Nested class Reads {
        @Test void tensorsInFileOrderWithTheirShapes() throws IOException {
            Map<String, Safetensors.Tensor> t = Safetensors.read(fixture("mixed.safetensors"));
            assertThat(t.keySet()).containsExactly("bias", "bf16.expected", "half.expected", "nothing", "step", "weight", "bf16", "half");
            assertThat(t.get("weight").shape()).containsExactly(2, 3);
            assertThat(bits(t.get("weight").data())).containsExactly(bits(new float[] {1.5f, -2f, 0f, 3.25f, -0f, 1e-3f}));
            assertThat(t.get("step").shape()).isEmpty();
            assertThat(t.get("step").data()).containsExactly(7f);
            assertThat(t.get("nothing").shape()).containsExactly(0);
            assertThat(t.get("nothing").data()).isEmpty();
        }

        /** PyTorch saves batch norm's counter as I64; integers convert with one rounding (2^24 is still exact). */
        @Test void integerTensorsAsFloats() throws IOException {
            Map<String, Safetensors.Tensor> t = Safetensors.read(fixture("i64.safetensors"));
            assertThat(t.get("num_batches_tracked").shape()).isEmpty();
            assertThat(t.get("num_batches_tracked").data()).containsExactly(5f);
            assertThat(t.get("ids").data()).containsExactly(-7f, 0f, 16777216f);
        }

        @Test void float64RoundedToFloat32() throws IOException {
            assertThat(Safetensors.read(fixture("mixed.safetensors")).get("bias").data())
                    .containsExactly((float) 0.1, -2.5f, Float.POSITIVE_INFINITY);
        }

        /** NumPy's own float16 to float32 conversion, stored next to the halves, is the reference. */
        @Test void float16AsNumPyConvertsIt() throws IOException {
            Map<String, Safetensors.Tensor> t = Safetensors.read(fixture("mixed.safetensors"));
            assertThat(t.get("half").shape()).containsExactly(9);
            assertThat(bits(t.get("half").data())).containsExactly(bits(t.get("half.expected").data()));
        }

        @Test void bfloat16() throws IOException {
            Map<String, Safetensors.Tensor> t = Safetensors.read(fixture("mixed.safetensors"));
            assertThat(bits(t.get("bf16").data())).containsExactly(bits(t.get("bf16.expected").data()));
            assertThat(t.get("bf16").data()[1]).isEqualTo(-3.140625f);
        }

        @Test void metadataWithEscapes() throws IOException {
            assertThat(Safetensors.metadata(fixture("mixed.safetensors"))).containsExactly(
                    Map.entry("format", "pt"), Map.entry("note", "tab\t, quote \", ünïcöde ✓"));
        }
    }

    @Nested class Writes {
        @Test void theBytesTheReferenceWrites() throws IOException {
            Path reference = fixture("reference_f32.safetensors");
            Path out = dir.resolve("out.safetensors");
            Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
            tensors.put("béta", new Safetensors.Tensor(new long[0], new float[] {1e-3f}));
            tensors.put("a.weight", new Safetensors.Tensor(new long[] {2, 2}, new float[] {1, 2, 3, 4}));
            tensors.put("a.bias", new Safetensors.Tensor(new long[] {2}, new float[] {-0.5f, 0.25f}));
            Safetensors.write(out, tensors, Map.of("format", "pt"));
            assertThat(bytes(out)).isEqualTo(bytes(reference));
            assertThat(Safetensors.read(out)).isEqualTo(Safetensors.read(reference));
        }

        @Test void roundTripKeepsEveryBit() throws IOException {
            Random r = new Random(3);
            Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
            for (String name : new String[] {"conv2d_1.weight", "conv2d_1.bias", "dense_1.weight", "empty"}) {
                long[] shape = name.equals("empty") ? new long[] {0, 4} : new long[] {1 + r.nextInt(5), 1 + r.nextInt(40000)};
                float[] data = new float[(int) (shape[0] * shape[1])];
                for (int i = 0; i < data.length; i++) data[i] = Float.intBitsToFloat(r.nextInt());
                tensors.put(name, new Safetensors.Tensor(shape, data));
            }
            tensors.get("conv2d_1.bias").data()[0] = -0f;
            tensors.get("conv2d_1.bias").data()[1] = Float.intBitsToFloat(0xff800001); // a negative signalling NaN
            Map<String, String> metadata = Map.of("epoch", "12", "model", "LeNet5 \"v2\"\n");
            Path file = dir.resolve("w.safetensors");
            Safetensors.write(file, tensors, metadata);
            Map<String, Safetensors.Tensor> back = Safetensors.read(file);
            assertThat(back.keySet()).containsExactly("conv2d_1.bias", "conv2d_1.weight", "dense_1.weight", "empty");
            tensors.forEach((name, t) -> {
                assertThat(back.get(name).shape()).containsExactly(t.shape());
                assertThat(bits(back.get(name).data())).containsExactly(bits(t.data()));
            });
            assertThat(Safetensors.metadata(file)).isEqualTo(metadata);
            long headerLength = ByteBuffer.wrap(bytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(headerLength % 8).isZero();
        }

        @Test void withoutMetadata() throws IOException {
            Path file = dir.resolve("w.safetensors");
            Safetensors.write(file, Map.of("b", new Safetensors.Tensor(new long[] {1}, new float[] {2})), null);
            assertThat(Safetensors.metadata(file)).isEmpty();
            assertThat(new String(bytes(file), 8, 56, StandardCharsets.UTF_8))
                    .isEqualTo("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ");
        }

        @Test void refusesTheReservedName() {
            var t = Map.of("__metadata__", new Safetensors.Tensor(new long[] {1}, new float[1]));
            assertThatThrownBy(() -> Safetensors.write(dir.resolve("w.safetensors"), t, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("a tensor cannot be named __metadata__");
        }
    }

    @Nested class RefusesBrokenFiles {
        @Test void truncatedData() throws IOException {
            Path from = fixture("mixed.safetensors");
            Path file = Fixtures.truncated(from, bytes(from).length - 3, dir);
            assertThatThrownBy(() -> Safetensors.read(file)).isInstanceOf(DataException.class).hasMessage(file + ": byte "
                    + offsetOf(file, "[112, 130]") + ": tensor \"half\": data_offsets [112, 130] reach past the end of the file,"
                    + " which holds only 127 bytes of data (is it truncated?)");
        }

        @Test void truncatedHeader() throws IOException {
            Path file = Fixtures.truncated(fixture("mixed.safetensors"), 100, dir);
            assertThatThrownBy(() -> Safetensors.read(file))
                    .hasMessage(file + ": byte 0: the header length is 656 bytes, but only 92 bytes follow it (is the file truncated?)");
        }

        @Test void tooShortForTheLength() throws IOException {
            Path file = Files.write(dir.resolve("x.safetensors"), new byte[] {1, 0, 0});
            assertThatThrownBy(() -> Safetensors.read(file)).hasMessage(file
                    + ": byte 0: the file has 3 bytes, too few for the 8-byte header length that starts a safetensors file");
        }

        @Test void notASafetensorsFile() {
            Path file = fixture("f4.npy");
            assertThatThrownBy(() -> Safetensors.read(file)).hasMessage(file + ": byte 0: the header length is 379676406402707"
                    + " bytes, more than the 100000000 a safetensors header may have (is this a safetensors file?)");
        }

        @Test void headerLengthLies() {
            Path file = fixture("lying_length.safetensors");
            assertThatThrownBy(() -> Safetensors.read(file))
                    .hasMessage(file + ": byte 0: the header length is 4096 bytes, but only 58 bytes follow it (is the file truncated?)");
        }

        @Test void overlappingOffsets() {
            Path file = fixture("overlap.safetensors");
            assertThatThrownBy(() -> Safetensors.read(file)).hasMessage(file + ": byte " + offsetOf(file, "[ 8,24]")
                    + ": tensor \"b\" at data bytes [8, 24) overlaps tensor \"a\" at [0, 16)");
        }

        @Test void unknownDtype() {
            Path file = fixture("f8.safetensors");
            assertThatThrownBy(() -> Safetensors.read(file)).hasMessage(file + ": byte " + offsetOf(file, "\"F8_E4M3\"")
                    + ": tensor \"scale\" has dtype F8_E4M3, which DLN does not read: it reads F32, F64, F16, BF16, BOOL and the integer types (converted to F32)");
        }

        @Test void offsetsThatDoNotMatchTheShape() {
            Path file = fixture("size_mismatch.safetensors");
            assertThatThrownBy(() -> Safetensors.read(file)).hasMessage(file + ": byte " + offsetOf(file, "[0,20]")
                    + ": tensor \"a\": data_offsets [0, 20] hold 20 bytes, but shape [2, 3] of F32 needs 24");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "[1, 2]                                                     | 8  | expected '{' at the start of the JSON header, found '['",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], }}             | 45 | expected a quoted key, found '}'",
            "{\"a\": {\"dtype\": \"F32\" \"shape\": [1]}}                | 30 | expected '}' or ',' in an object, found '\"'",
            "{\"a\" {}}                                                 | 13 | expected ':' after the key \"a\", found '{'",
            "{\"a\": {\"dtype\": \"F32}}                                 | 24 | the string that starts here is not closed",
            "{\"a\": {\"dtype\": \"F\\q32\"}}                            | 26 | unknown escape '\\q' in a string",
            "{\"a\": {\"dtype\": \"\\u00G1\"}}                           | 29 | expected 4 hexadecimal digits after \\u, found 'G'",
            "{\"a\": {\"dtype\": tru}}                                  | 24 | expected a JSON value, found 'tru'",
            "{\"a\": {\"dtype\": \"F32\"}} x                            | 32 | expected the end of the JSON header, found 'x'",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {}} | 70 | the key \"a\" appears twice",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}} | 41 | tensor \"a\": each dimension must be a whole number from 0 to 10^18, not -1",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}} | 41 | tensor \"a\": each dimension must be a whole number from 0 to 10^18, not 1.5",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}} | 61 | tensor \"a\": data_offsets [4, 0] end before they begin",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}    | 61 | tensor \"a\": data_offsets must be [begin, end], not a list of 1",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": 1, \"data_offsets\": [0, 4]}}   | 40 | tensor \"a\": shape must be a list, not the number 1",
            "{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}         | 14 | tensor \"a\" has no \"dtype\"",
            "{\"a\": [1]}                                              | 14 | tensor \"a\" must be an object, not a list",
            "{\"__metadata__\": {\"epoch\": 3}}                       | 35 | the __metadata__ value of \"epoch\" must be a string, not the number 3",
            "{\"__metadata__\": \"x\"}                                 | 25 | __metadata__ must be an object, not the string \"x\"",
        })
        void badHeaders(String json, long offset, String message) throws IOException {
            Path file = safetensors(json.strip().getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> Safetensors.read(file)).isInstanceOf(DataException.class)
                    .hasMessage(file + ": byte " + offset + ": " + message);
        }

        @Test void headerNotUtf8() throws IOException {
            byte[] json = "{\"a\u00ff\": {}}".getBytes(StandardCharsets.ISO_8859_1);
            Path file = safetensors(json);
            assertThatThrownBy(() -> Safetensors.read(file)).hasMessage(file + ": byte 10: the text is not valid UTF-8");
        }

        @Test void controlCharacterInAString() throws IOException {
            Path file = safetensors("{\"a\nb\": {}}".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> Safetensors.read(file))
                    .hasMessage(file + ": byte 11: control characters must be escaped in a string, found the byte 0x0a");
        }

        @Test void deepNesting() throws IOException {
            Path file = safetensors(("{\"a\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}").getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> Safetensors.read(file)).hasMessage(file + ": byte 77: values nested more than 64 deep");
        }

        /** A file with the given header and 8 bytes of data. */
        private Path safetensors(byte[] header) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(8 + header.length + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(header.length).put(header);
            return Files.write(dir.resolve("header.safetensors"), b.array());
        }
    }
}
