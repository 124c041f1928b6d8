package dev.loupe.engine.record;

import dev.loupe.engine.Buf;

/**
 * One tensor the recorder summarizes: {@code layer/<layer>/<tensor>/…} in the event file.
 *
 * @param perRow true for activations and their gradients, whose valid length is rows × {@code size};
 *               false for parameters, gradients and updates, whose length is {@code size}
 * @param param  index of the parameter tensor this is the update of, or -1
 */
public record RecordedTensor(String layer, String tensor, Buf buf, long size, boolean perRow, int param) {
    /** Number of valid elements after a step on {@code rows} samples. */
    public long length(int rows) {
        return perRow ? size * rows : size;
    }

    /** Tag prefix {@code layer/<layer>/<tensor>}. */
    public String tag() {
        return "layer/" + layer + "/" + tensor;
    }
}
