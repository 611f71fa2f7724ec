package dln.lsp;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.json.JsonRpcMethod;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.MessageIssue;
import org.eclipse.lsp4j.jsonrpc.validation.NonNull;

/**
 * Checks the params of a request or notification before the server sees them: they must be
 * there when the method takes any, and carry every field the protocol requires (lsp4j marks
 * those {@link NonNull}), at every depth. The answer is a short sentence for the client, naming
 * the field by its JSON path (`params.textDocument.uri is missing`).
 */
final class Params {
    /** Protocol objects nest a few levels; deeper is hostile. */
    private static final int MAX_DEPTH = 32;
    private static final String PROTOCOL = "org.eclipse.lsp4j";
    /** Where gson says its parse failed: `... path $.params.textDocument`. */
    private static final Pattern PATH = Pattern.compile("path \\$\\.?([\\w.\\[\\]]*)");

    private Params() {}

    /** What is wrong with {@code params} for {@code method}, or null when nothing is (or the method is unknown). */
    static String problem(JsonRpcMethod method, Object params) {
        if (method == null || method.getParameterTypes().length == 0) return null;
        if (params == null) return "params are missing";
        Type expected = method.getParameterTypes()[0];
        if (expected instanceof Class<?> type && !type.isInstance(params)) return "params have the wrong shape";
        return missing(params, "params", 0);
    }

    /**
     * Why lsp4j could not read a message whose JSON is sound: the field whose value has the wrong
     * type, when gson names it.
     */
    static String shapeProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String found = pathIn(t.getMessage());
            if (found == null && t instanceof MessageIssueException issues) {
                for (MessageIssue issue : issues.getIssues()) {
                    if (issue.getCause() != null && found == null) found = pathIn(issue.getCause().getMessage());
                }
            }
            if (found != null && !found.equals("params")) return found + " has the wrong type";
        }
        return "params have the wrong shape";
    }

    private static String pathIn(String message) {
        if (message == null) return null;
        Matcher m = PATH.matcher(message);
        return m.find() && !m.group(1).isEmpty() ? m.group(1) : null;
    }

    private static String missing(Object value, String path, int depth) {
        if (depth > MAX_DEPTH) return path + " is nested too deeply";
        if (value instanceof Either<?, ?> either) return either.get() == null ? null : missing(either.get(), path, depth + 1);
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String at = path + "[" + i + "]";
                String problem = list.get(i) == null ? at + " is null" : missing(list.get(i), at, depth + 1);
                if (problem != null) return problem;
            }
            return null;
        }
        if (!value.getClass().getPackageName().startsWith(PROTOCOL) || value.getClass().isEnum()) return null;
        for (Method getter : getters(value.getClass())) {
            Object field = get(getter, value);
            String at = path + "." + property(getter);
            String problem = field == null ? (getter.isAnnotationPresent(NonNull.class) ? at + " is missing" : null)
                    : missing(field, at, depth + 1);
            if (problem != null) return problem;
        }
        return null;
    }

    /** The public getters, in name order, so that the first problem reported is always the same one. */
    private static List<Method> getters(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getParameterCount() == 0 && m.getName().startsWith("get") && m.getName().length() > 3
                        && m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers()))
                .sorted(Comparator.comparing(Method::getName))
                .toList();
    }

    private static Object get(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }

    private static String property(Method getter) {
        String name = getter.getName().substring(3);
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
