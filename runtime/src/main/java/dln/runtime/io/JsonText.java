package dln.runtime.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small JSON files of DLN's own (the kernel tuning cache): read with the strict reader of
 * safetensors headers into plain Java values, and the string quoting to write them.
 */
public final class JsonText {
    private JsonText() {}

    /**
     * The one object that {@code bytes} hold, as maps, lists, strings, doubles, booleans and nulls.
     *
     * @throws DataException naming {@code file} and the byte offset of the first mistake
     */
    public static Map<String, Object> object(Path file, byte[] bytes) {
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) plain(Json.parseObject(new Cursor(file, bytes, 0)));
        return object;
    }

    /** A JSON string literal. */
    public static String quote(String s) { return Json.quote(s); }

    private static Object plain(Node node) {
        if (node instanceof Node.Obj o) {
            Map<String, Object> map = new LinkedHashMap<>();
            o.members().forEach((k, v) -> map.put(k, plain(v)));
            return map;
        }
        if (node instanceof Node.Arr a) {
            List<Object> list = new ArrayList<>();
            for (Node item : a.items()) list.add(plain(item));
            return list;
        }
        if (node instanceof Node.Str s) return s.value();
        if (node instanceof Node.Num n) return Double.parseDouble(n.text());
        if (node instanceof Node.Bool b) return b.value();
        return null;
    }
}
