package dln.net;

/**
 * One parameter of a layer, named and laid out as PyTorch does (dense weight [out, in], conv weight
 * [out, in, k...]). Running statistics of batch norm are buffers: saved, but not trained.
 */
public record ParamSpec(String name, Shape shape, boolean trainable) {
    public static ParamSpec trained(String name, long... dims) {
        return new ParamSpec(name, Shape.of(dims), true);
    }

    public static ParamSpec buffer(String name, long... dims) {
        return new ParamSpec(name, Shape.of(dims), false);
    }
}
