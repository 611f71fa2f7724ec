package dln.net;

/** How a layer's weights start: `zeros`, `normal(std)`, `uniform(limit)`, `xavier`, `he_normal`, `he_uniform`. */
public record Initializer(String kind, double scale) {
    public static final Initializer DEFAULT = new Initializer("default", 0);

    @Override public String toString() {
        return switch (kind) {
            case "normal", "uniform" -> kind + "(" + scale + ")";
            default -> kind;
        };
    }
}
