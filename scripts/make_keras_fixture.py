"""Writes the Keras import test fixture without TensorFlow: a Keras-2 HDF5 Sequential model
(conv 3x3 relu -> maxpool 2 -> flatten -> dense 8 relu -> dense 3 softmax, channels_last, input
10x10x2) in the layout Keras' model.save() uses (root attrs model_config/keras_version/backend,
model_weights/<layer>/<layer>/kernel:0 ...), plus inputs and the model's outputs computed here in
NumPy with Keras semantics.

Usage: /usr/bin/python3 scripts/make_keras_fixture.py PREFIX   (needs python3-h5py, numpy)
writes PREFIX.h5, PREFIX.x.npy [5,10,10,2] and PREFIX.p.npy [5,3] (softmax probabilities)."""
import json, sys
import h5py, numpy as np

rng = np.random.default_rng(0)
def conv(name, filters, k, inp=None):
    c = {"name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [k, k], "strides": [1, 1],
         "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": True,
         "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
         "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None, "bias_regularizer": None,
         "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    if inp: c["batch_input_shape"] = [None] + inp
    return {"class_name": "Conv2D", "config": c}
def dense(name, units, act):
    return {"class_name": "Dense", "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
            "activation": act, "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}
layers = [conv("conv2d", 4, 3, [10, 10, 2]),
          {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "trainable": True, "dtype": "float32",
           "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}},
          {"class_name": "Flatten", "config": {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"}},
          dense("dense", 8, "relu"), dense("dense_1", 3, "softmax")]
config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
weights = {"conv2d": [("kernel:0", rng.normal(size=(3, 3, 2, 4))), ("bias:0", rng.normal(size=4))],
           "dense": [("kernel:0", rng.normal(size=(64, 8)) * 0.3), ("bias:0", rng.normal(size=8))],
           "dense_1": [("kernel:0", rng.normal(size=(8, 3))), ("bias:0", rng.normal(size=3))]}
with h5py.File(sys.argv[1] + ".h5", "w") as f:
    f.attrs["keras_version"] = b"2.4.0"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = json.dumps(config).encode()
    g = f.create_group("model_weights")
    names = ["conv2d", "max_pooling2d", "flatten", "dense", "dense_1"]
    g.attrs["layer_names"] = np.array([n.encode() for n in names])
    g.attrs["backend"] = b"tensorflow"
    g.attrs["keras_version"] = b"2.4.0"
    for n in names:
        lg = g.create_group(n)
        ws = weights.get(n, [])
        lg.attrs["weight_names"] = np.array([f"{n}/{w}".encode() for w, _ in ws])
        for w, v in ws:
            lg.create_dataset(f"{n}/{w}", data=v.astype(np.float32))
    # inputs and Keras-semantics outputs computed here in NumPy, channels-last, for the Java side to compare
    x = rng.normal(size=(5, 10, 10, 2)).astype(np.float32)
    k, b = weights["conv2d"][0][1].astype(np.float32), weights["conv2d"][1][1].astype(np.float32)
    y = np.zeros((5, 8, 8, 4), np.float32)
    for i in range(8):
        for j in range(8):
            y[:, i, j, :] = np.einsum("nhwc,hwcf->nf", x[:, i:i+3, j:j+3, :], k) + b
    y = np.maximum(y, 0).reshape(5, 4, 2, 4, 2, 4).max(axis=(2, 4)).reshape(5, -1)
    y = np.maximum(y @ weights["dense"][0][1].astype(np.float32) + weights["dense"][1][1], 0)
    z = y @ weights["dense_1"][0][1].astype(np.float32) + weights["dense_1"][1][1]
    p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
    np.save(sys.argv[1] + ".x.npy", x)
    np.save(sys.argv[1] + ".p.npy", p.astype(np.float32))
print("ok")
