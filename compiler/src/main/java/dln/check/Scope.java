package dln.check;

import dln.ast.Decl;
import dln.ast.Unit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one file can see: its own constants, blocks and models, and the constants and blocks of the
 * files it imports directly. Each imported declaration remembers the scope of the file that
 * defines it, because that is where its own names resolve.
 */
public final class Scope {
    final Unit unit;
    final Map<String, Decl.Const> consts = new LinkedHashMap<>();
    final Map<String, Decl.Block> blocks = new LinkedHashMap<>();
    final Map<String, Decl.Model> models = new LinkedHashMap<>();
    final Map<String, Decl.Train> trains = new LinkedHashMap<>();

    Scope(Unit unit) {
        this.unit = unit;
    }

    public Unit unit() { return unit; }
}
