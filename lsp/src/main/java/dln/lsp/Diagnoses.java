package dln.lsp;

import dln.Compiler;
import dln.ast.Unit;
import dln.diag.Diag;
import dln.diag.Severity;
import dln.diag.Source;
import dln.diag.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticRelatedInformation;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DiagnosticTag;
import org.eclipse.lsp4j.Location;

/**
 * Turns a check's diagnostics into LSP diagnostics, grouped by the document they point into: the
 * checked document itself, or a file it imports. The range is the exact span; `help:` lines follow
 * the message; each `note:` becomes related information at the place it names (`called at f:3:5`).
 */
final class Diagnoses {
    static final String SOURCE = "dlnc";
    private static final Pattern WHERE = Pattern.compile("at (.+):(\\d+):(\\d+)$");

    private Diagnoses() {}

    /** The diagnostics by document URI; the checked document is always present, possibly with none. */
    static Map<String, List<Diagnostic>> byDocument(Compiler.Result result, Document doc) {
        Map<String, Source> sources = sources(result);
        Map<String, List<Diagnostic>> out = new LinkedHashMap<>();
        out.put(doc.uri(), new ArrayList<>());
        for (dln.diag.Diagnostic d : result.diagnostics().all()) {
            String uri = uriOf(d.span().source(), doc);
            out.computeIfAbsent(uri, u -> new ArrayList<>()).add(convert(d, doc, sources));
        }
        return out;
    }

    static Diagnostic convert(dln.diag.Diagnostic d, Document doc, Map<String, Source> sources) {
        StringBuilder message = new StringBuilder(d.message());
        for (String help : d.helps()) message.append("\nhelp: ").append(help);
        Diagnostic out = new Diagnostic(Positions.range(d.span()), message.toString(),
                d.severity() == Severity.ERROR ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, SOURCE, d.code());
        if (d.diag() == Diag.UnusedName || d.diag() == Diag.UnusedBlock) out.setTags(List.of(DiagnosticTag.Unnecessary));
        if (!d.notes().isEmpty()) {
            List<DiagnosticRelatedInformation> related = new ArrayList<>();
            for (String note : d.notes()) related.add(new DiagnosticRelatedInformation(where(note, d.span(), doc, sources), note));
            out.setRelatedInformation(related);
        }
        return out;
    }

    /** The place a note names (`in block b, called at f.dln:3:5`), or the diagnostic's own place. */
    private static Location where(String note, Span fallback, Document doc, Map<String, Source> sources) {
        Matcher m = WHERE.matcher(note);
        if (m.find() && sources.containsKey(m.group(1))) {
            Source s = sources.get(m.group(1));
            try {
                int at = Positions.offset(s, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
                return new Location(uriOf(s, doc), Positions.range(new Span(s, at, at)));
            } catch (NumberFormatException e) {
                // a line number too large for an int names no place in a file; fall through
            }
        }
        return new Location(uriOf(fallback.source(), doc), Positions.range(fallback));
    }

    /** The files of the program, by the names diagnostics show for them. */
    private static Map<String, Source> sources(Compiler.Result result) {
        Map<String, Source> out = new HashMap<>();
        if (result.program() != null) for (Unit u : result.program().units()) out.put(u.source().name(), u.source());
        return out;
    }

    /** An imported file's own URI; the checked document's for its text and anything without a path. */
    private static String uriOf(Source source, Document doc) {
        if (source.path() == null || source.path().equals(doc.path())) return doc.uri();
        return source.path().toUri().toString();
    }
}
