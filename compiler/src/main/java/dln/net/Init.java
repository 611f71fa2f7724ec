package dln.net;

/** How a layer's weights start: `zeros`, `normal(std)`, `uniform(limit)`, `xavier`, `he_normal`, `he_uniform`. */
public record Init(String kind, double scale) {
    public static final Init DEFAULT = new Init("default", 0);

    @Override public String toString() {
        return switch (kind) {
            case "normal", "uniform" -> kind + "(" + scale + ")";
            default -> kind;
        };
    }
}
