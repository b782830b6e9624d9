"""ImageDataGenerator: Keras 1/2's real-time image augmentation (Keras 3 removed it)."""

from __future__ import annotations

import warnings

import numpy as np

from lamina import config
from lamina.errors import LaminaWarning
from lamina.preprocessing import affine_transformations as affine
from lamina.preprocessing._legacy import removed_in_keras3
from lamina.preprocessing.image_iterators import DataFrameIterator, DirectoryIterator, NumpyArrayIterator

_FILL_MODES = ("constant", "nearest", "reflect", "wrap")


class ImageDataGenerator:
    """Batches of images with random augmentation and standardization, from arrays or files.

    Each image of a batch is transformed with fresh random parameters
    (``get_random_transform``): rotation, shifts, shear, zoom, channel shift, flips, brightness;
    then standardized (``standardize``): ``preprocessing_function``, ``rescale``, sample-wise
    and feature-wise centering / normalization, ZCA whitening (the feature-wise statistics come
    from ``fit``). ``flow``, ``flow_from_directory`` and ``flow_from_dataframe`` return iterators
    that ``model.fit`` (and Keras 2's ``fit_generator``) take.

    Args:
        featurewise_center: subtract the per-channel mean of the ``fit`` data.
        samplewise_center: subtract each image's mean.
        featurewise_std_normalization: divide by the per-channel std of the ``fit`` data.
        samplewise_std_normalization: divide each image by its std.
        zca_whitening: apply ZCA whitening learnt by ``fit``. zca_epsilon: its regularizer (1e-6).
        rotation_range: degrees; the angle is uniform in [-range, range].
        width_shift_range, height_shift_range: a float < 1 is a fraction of the width / height,
            >= 1 a number of pixels (uniform in [-range, range]); an int n draws whole pixels in
            [-n, n]; a list draws one of its values (with a random sign).
        brightness_range: two floats; the brightness factor is uniform between them.
        shear_range: shear angle in degrees, uniform in [-range, range].
        zoom_range: a float z (zoom uniform in [1-z, 1+z]) or two floats [low, high].
        channel_shift_range: a value uniform in [-range, range] added to every channel.
        fill_mode: points outside the image: 'nearest', 'constant' (``cval``), 'reflect', 'wrap'.
        cval: the fill value for 'constant'.
        horizontal_flip, vertical_flip: flip half of the images.
        rescale: multiply the images by it (e.g. 1/255) before the other standardization.
        preprocessing_function: applied to each image (rank 3) first.
        data_format: 'channels_last' or 'channels_first'; image_data_format() if None.
        validation_split: the fraction kept for ``subset='validation'``.
        interpolation_order: spline order of the affine transforms (1: bilinear).
        dtype: the images' dtype; floatx() if None.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     gen = ImageDataGenerator(rescale=0.5, horizontal_flip=True)
        >>> x, y = gen.flow(np.ones((10, 4, 4, 3)), np.arange(10), batch_size=4)[0]
        >>> x.shape, float(x.max()), y.shape
        ((4, 4, 4, 3), 0.5, (4,))
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype=None):
        removed_in_keras3("lamina.preprocessing.image.ImageDataGenerator",
                          "keras.utils.image_dataset_from_directory, in lamina too, and the "
                          "keras.layers.Random* layers")
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.interpolation_order = interpolation_order
        self.dtype = dtype or config.floatx()
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"ImageDataGenerator: fill_mode must be one of {list(_FILL_MODES)}; received {fill_mode!r}.")
        self.fill_mode = fill_mode
        self.data_format = config.standardize_data_format(data_format)
        if self.data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"ImageDataGenerator: validation_split must be in [0, 1); received {validation_split!r}.")
        self._validation_split = validation_split
        if np.isscalar(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"ImageDataGenerator: zoom_range must be a float or two floats [low, high]; "
                             f"received {zoom_range!r}.")
        if brightness_range is not None and len(brightness_range) != 2:
            raise ValueError(f"ImageDataGenerator: brightness_range must be two floats [low, high]; "
                             f"received {brightness_range!r}.")
        self.brightness_range = brightness_range
        self.mean = self.std = self.principal_components = None
        if zca_whitening and (featurewise_std_normalization or not featurewise_center):
            if featurewise_std_normalization:
                warnings.warn("ImageDataGenerator: zca_whitening overrides featurewise_std_normalization; "
                              "setting it to False.", LaminaWarning, stacklevel=2)
                self.featurewise_std_normalization = False
            if not featurewise_center:
                warnings.warn("ImageDataGenerator: zca_whitening needs featurewise_center; setting it to True.",
                              LaminaWarning, stacklevel=2)
                self.featurewise_center = True

    # ----------------------------------------------------------------------- iterators
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False, subset=None):
        """Augmented batches of the arrays ``x`` (n, rows, cols, channels) and labels ``y``.

        Returns:
            A ``NumpyArrayIterator`` yielding ``(x, y)`` (``x`` alone when y is None; with the
            sample weights third when given).
        """
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed, data_format=self.data_format,
                                  save_to_dir=save_to_dir, save_prefix=save_prefix,
                                  save_format=save_format, ignore_class_split=ignore_class_split,
                                  subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                            save_to_dir=None, save_prefix="", save_format="png", follow_links=False,
                            subset=None, interpolation="nearest", keep_aspect_ratio=False):
        """Augmented batches of the images under ``directory/<class>/`` (see ``DirectoryIterator``)."""
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, data_format=self.data_format,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links, subset=subset,
                                 interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio,
                                 dtype=self.dtype)

    def flow_from_dataframe(self, dataframe, directory=None, x_col="filename", y_col="class",
                            weight_col=None, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                            save_to_dir=None, save_prefix="", save_format="png", subset=None,
                            interpolation="nearest", validate_filenames=True, keep_aspect_ratio=False):
        """Augmented batches of the images a pandas DataFrame lists (see ``DataFrameIterator``)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ImportError("flow_from_dataframe reads a pandas DataFrame; pandas is not installed. "
                              "Install it with `pip install pandas`.") from None
        return DataFrameIterator(dataframe, directory, self, x_col=x_col, y_col=y_col,
                                 weight_col=weight_col, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, data_format=self.data_format,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, subset=subset, interpolation=interpolation,
                                 keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype,
                                 validate_filenames=validate_filenames)

    # ----------------------------------------------------------------------- per image
    def standardize(self, x):
        """Applies the normalization settings to one image (or a batch), in Keras's order."""
        if self.preprocessing_function is not None:
            x = self.preprocessing_function(x)
        if self.rescale:
            x = x * self.rescale
        if self.samplewise_center:
            x = x - np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (np.std(x, keepdims=True) + 1e-6)
        if self.featurewise_center:
            if self.mean is None:
                warnings.warn("ImageDataGenerator has featurewise_center=True but was not fit: call "
                              "generator.fit(x_train) first.", LaminaWarning, stacklevel=2)
            else:
                x = x - self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                warnings.warn("ImageDataGenerator has featurewise_std_normalization=True but was not "
                              "fit: call generator.fit(x_train) first.", LaminaWarning, stacklevel=2)
            else:
                x = x / (self.std + 1e-6)
        if self.zca_whitening:
            if self.principal_components is None:
                warnings.warn("ImageDataGenerator has zca_whitening=True but was not fit: call "
                              "generator.fit(x_train) first.", LaminaWarning, stacklevel=2)
            else:
                flat = np.reshape(x, (-1, self.principal_components.shape[0]))
                x = np.reshape(flat @ self.principal_components, np.shape(x))
        return np.asarray(x, dtype=self.dtype)

    def get_random_transform(self, img_shape, seed=None):
        """Draws the random parameters for one image of shape ``img_shape`` (rank 3).

        Returns:
            A dict: 'theta' (degrees), 'tx' / 'ty' (vertical / horizontal shift in pixels),
            'shear', 'zx' / 'zy' (zoom along rows / columns), 'flip_horizontal',
            'flip_vertical', 'channel_shift_intensity', 'brightness'.
        """
        if seed is not None:
            np.random.seed(seed)
        rows, cols = img_shape[self.row_axis - 1], img_shape[self.col_axis - 1]
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = _shift(self.height_shift_range, rows)
        ty = _shift(self.width_shift_range, cols)
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx = zy = 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_h = bool(self.horizontal_flip and np.random.random() < 0.5)
        flip_v = bool(self.vertical_flip and np.random.random() < 0.5)
        channel_shift = (np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
                         if self.channel_shift_range else None)
        brightness = np.random.uniform(*self.brightness_range) if self.brightness_range is not None else None
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_h, "flip_vertical": flip_v,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    def apply_transform(self, x, transform_parameters):
        """Applies the parameters of ``get_random_transform`` to one image (rank 3).

        The affine part (rotation, shifts, shear, zoom) maps output pixel ``p`` to input
        ``M p + offset`` about the image centre (``tx`` = 2 gives ``out[r, c] = x[r + 2, c]``);
        then the channel shift, the flips and the brightness.
        """
        p = transform_parameters
        row, col, channel = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        x = affine._affine(np.asarray(x), p.get("theta", 0), p.get("tx", 0), p.get("ty", 0),
                           p.get("shear", 0), p.get("zx", 1), p.get("zy", 1), row_axis=row,
                           col_axis=col, channel_axis=channel, fill_mode=self.fill_mode,
                           cval=self.cval, order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = affine._channel_shift(x, p["channel_shift_intensity"], channel)
        if p.get("flip_horizontal", False):
            x = np.flip(x, col)
        if p.get("flip_vertical", False):
            x = np.flip(x, row)
        if p.get("brightness") is not None:
            if self.data_format == "channels_first":
                x = np.moveaxis(affine._brightness(np.moveaxis(x, 0, -1), p["brightness"], False), -1, 0)
            else:
                x = affine._brightness(x, p["brightness"], False)
        return x

    def random_transform(self, x, seed=None):
        """One image with random augmentation applied (``apply_transform`` of fresh parameters)."""
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Computes the feature-wise statistics (mean, std, ZCA) that ``standardize`` uses.

        Args:
            x: images (n, rows, cols, channels) (channels first with that data_format).
            augment: compute them on ``rounds`` randomly augmented copies of ``x``.
            rounds: how many augmented copies. seed: the seed of the augmentation.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.fit expects images of rank 4 (samples, rows, cols, "
                             f"channels); received shape {x.shape}.")
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn(f"ImageDataGenerator.fit: the channel axis ({self.channel_axis}, "
                          f"{self.data_format}) has {x.shape[self.channel_axis]} values; images have "
                          "1, 3 or 4 channels. Check data_format.", LaminaWarning, stacklevel=2)
        if seed is not None:
            np.random.seed(seed)
        if augment:
            x = np.stack([self.random_transform(img) for _ in range(rounds) for img in x])
        axes = (0, self.row_axis, self.col_axis)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.mean(x, axis=axes).reshape(shape)
            x = x - self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=axes).reshape(shape)
            x = x / (self.std + 1e-6)
        if self.zca_whitening:
            flat = x.reshape(len(x), -1).astype("float64")
            sigma = flat.T @ flat / len(flat)
            u, s, _ = np.linalg.svd(sigma)
            self.principal_components = ((u * (1.0 / np.sqrt(s[np.newaxis] + self.zca_epsilon))) @ u.T).astype(self.dtype)


def _shift(spec, size):
    """A shift in pixels drawn as ImageDataGenerator documents for width/height_shift_range."""
    if not np.any(spec):
        return 0
    if isinstance(spec, (list, tuple, np.ndarray)):
        value = np.random.choice(spec) * np.random.choice([-1, 1])
    elif isinstance(spec, (int, np.integer)):
        value = np.random.randint(-spec, spec + 1)
    else:
        value = np.random.uniform(-spec, spec)
    if np.max(np.abs(spec)) < 1:
        value *= size
    return value
