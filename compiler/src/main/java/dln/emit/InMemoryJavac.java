package dln.emit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated Java in memory with javax.tools and loads it, so that `dlnc train` and
 * `dlnc predict` run a model without a build step. The classpath is this JVM's own.
 */
public final class InMemoryJavac {
    private InMemoryJavac() {}

    /** Generated code that javac rejected: a bug in the emitter, with javac's messages. */
    public static final class CompileError extends RuntimeException {
        CompileError(String message) { super(message); }
    }

    /** Compiles {@code sources} (binary class name → Java text) and returns a loader that defines them. */
    public static ClassLoader compile(Map<String, String> sources) {
        return compile(sources, Map.of());
    }

    /**
     * Compiles {@code sources} and returns a loader that defines them and serves {@code resources}
     * (path below the class path's root → text), as a jar would: the OpenCL program of each model.
     */
    public static ClassLoader compile(Map<String, String> sources, Map<String, String> resources) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("no Java compiler in this JVM: run dlnc on a JDK, not a JRE");
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        StandardJavaFileManager std = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8);
        var files = new ForwardingJavaFileManager<>(std) {
            @Override public JavaFileObject getJavaFileForOutput(Location l, String name, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
                    @Override public OutputStream openOutputStream() {
                        return classes.computeIfAbsent(name, n -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        List<JavaFileObject> units = new ArrayList<>();
        for (var e : sources.entrySet()) {
            units.add(new SimpleJavaFileObject(URI.create("mem:///" + e.getKey().replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return e.getValue(); }
            });
        }
        StringWriter log = new StringWriter();
        List<String> options = List.of("-classpath", classPath(), "-proc:none");
        boolean ok = javac.getTask(log, files, diags, options, null, units).call();
        if (!ok) {
            StringBuilder msg = new StringBuilder("javac rejected the generated code (a bug in dlnc):");
            diags.getDiagnostics().forEach(d -> msg.append('\n').append(d));
            throw new CompileError(msg.toString());
        }
        return new ClassLoader(InMemoryJavac.class.getClassLoader()) {
            @Override protected Class<?> findClass(String name) throws ClassNotFoundException {
                ByteArrayOutputStream b = classes.get(name);
                if (b == null) throw new ClassNotFoundException(name);
                byte[] bytes = b.toByteArray();
                return defineClass(name, bytes, 0, bytes.length);
            }

            @Override public java.io.InputStream getResourceAsStream(String name) {
                String text = resources.get(name);
                return text != null ? new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) : super.getResourceAsStream(name);
            }
        };
    }

    /**
     * This JVM's class path, and the jars or folders that hold the runtime and the kernels the
     * generated code uses: under spark-submit DLN comes in a jar that a class loader of Spark's
     * loads, which is not on java.class.path.
     */
    static String classPath() {
        StringBuilder path = new StringBuilder(System.getProperty("java.class.path"));
        for (Class<?> anchor : List.of(dln.runtime.Model.class, dln.kernel.Loss.class)) {
            var source = anchor.getProtectionDomain().getCodeSource();
            if (source == null) continue;
            try {
                path.append(java.io.File.pathSeparator).append(java.nio.file.Path.of(source.getLocation().toURI()));
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                // not a file (a jar inside a jar): the class path alone must do
            }
        }
        return path.toString();
    }
}
