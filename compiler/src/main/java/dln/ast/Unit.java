package dln.ast;

import dln.diag.Source;
import java.util.List;

/** One parsed .dln file. */
public record Unit(Source source, List<Decl> decls) {

    public <T extends Decl> List<T> all(Class<T> kind) {
        return decls.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
