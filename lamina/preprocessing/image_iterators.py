"""The batch iterators of ``ImageDataGenerator`` (Keras 1/2): arrays, a directory tree, a DataFrame.

Each is a ``PyDataset`` (``len`` batches per epoch, ``it[i]`` the i-th batch, reshuffled by
``on_epoch_end``), so ``model.fit(it)`` takes it; ``next(it)`` also works, looping over epochs
forever as Keras 2's did.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from lamina import config
from lamina.utils.py_dataset import PyDataset

__all__ = ["DataFrameIterator", "DirectoryIterator", "Iterator", "NumpyArrayIterator"]

IMAGE_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
_CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


class Iterator(PyDataset):
    """Batches of ``n`` samples by index: shuffled each epoch (seeded), and an endless ``next()``.

    Subclasses define ``_get_batches_of_transformed_samples(index_array)``.

    Args:
        n: the number of samples. batch_size: samples per batch. shuffle: reshuffle each epoch.
        seed: the seed of the shuffles and of the random transforms (NumPy's global generator is
            seeded with ``seed + batches seen`` before each batch, as in Keras 2).
    """

    white_list_formats = IMAGE_FORMATS

    def __init__(self, n, batch_size, shuffle, seed):
        super().__init__()
        if int(batch_size) < 1:
            raise ValueError(f"{type(self).__name__}: batch_size must be a positive integer; received {batch_size!r}.")
        self.n = n
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.seed = seed
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            self.index_array = np.random.permutation(self.n)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, idx):
        if not 0 <= idx < len(self):
            raise IndexError(f"{type(self).__name__} has {len(self)} batches; index {idx} is out of range.")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(
            self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)])

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        """Starts the ``next()`` stream again at the first batch."""
        self.batch_index = 0

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            if self.batch_index == 0 and self.index_array is None or self.batch_index >= len(self):
                if self.batch_index >= len(self):
                    self.batch_index = 0
                self._set_index_array()
            idx = self.batch_index
            self.batch_index += 1
        return self[idx]

    next = __next__

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError

    # -- shared by the subclasses
    def _transform(self, x):
        gen = self.image_data_generator
        params = gen.get_random_transform(x.shape)
        return gen.standardize(gen.apply_transform(x, params))

    def _save(self, batch_x, index_array):
        from lamina.utils.image_utils import array_to_img

        for i, j in enumerate(index_array):
            img = array_to_img(batch_x[i], self.data_format, scale=True)
            name = f"{self.save_prefix}_{j}_{np.random.randint(10_000)}.{self.save_format}"
            img.save(os.path.join(self.save_to_dir, name))


def _split(image_data_generator, subset):
    split = image_data_generator._validation_split
    if subset is None:
        return None
    if subset not in ("training", "validation"):
        raise ValueError(f"subset must be 'training', 'validation' or None; received {subset!r}.")
    if not split:
        raise ValueError(
            f"subset={subset!r} needs a validation split: pass ImageDataGenerator(validation_split=0.2)."
        )
    return (0.0, split) if subset == "validation" else (split, 1.0)


class NumpyArrayIterator(Iterator):
    """Batches of in-memory images, augmented and standardized by an ``ImageDataGenerator``.

    Args:
        x: images (n, rows, cols, channels) (channels first with ``data_format``); or a tuple
            ``(images, other_inputs)`` whose other inputs are sliced alongside.
        y: labels (n, ...) or None. image_data_generator: the generator.
        batch_size, shuffle, seed: see ``Iterator``. sample_weight: per-sample weights.
        data_format: image_data_format() if None. save_to_dir, save_prefix, save_format: write
            each augmented image there (for checking the augmentation).
        subset: ``'training'`` (the first ``1 - validation_split``) or ``'validation'`` (the rest).
        ignore_class_split: skip the check that both subsets hold every class. dtype: floatx().
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None,
                 seed=None, data_format=None, save_to_dir=None, save_prefix="", save_format="png",
                 subset=None, ignore_class_split=False, dtype=None):
        self.dtype = dtype or config.floatx()
        misc = []
        if isinstance(x, (tuple, list)):
            x, misc = x[0], list(x[1]) if isinstance(x[1], (list, tuple)) else [x[1]]
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(
                f"NumpyArrayIterator: x must be a batch of images of rank 4 (samples, rows, cols, "
                f"channels); received shape {x.shape}."
            )
        if y is not None and len(x) != len(y):
            raise ValueError(f"NumpyArrayIterator: x and y must have the same length; received {len(x)} and {len(y)}.")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(f"NumpyArrayIterator: x and sample_weight must have the same length; "
                             f"received {len(x)} and {len(sample_weight)}.")
        split = _split(image_data_generator, subset)
        if split is not None:
            cut = int(len(x) * (1 - image_data_generator._validation_split))
            part = slice(cut, None) if subset == "validation" else slice(None, cut)
            if y is not None and not ignore_class_split:
                if _labels(y[:cut]) != _labels(y[cut:]):
                    raise ValueError(
                        "NumpyArrayIterator: the training and validation subsets do not hold the same "
                        "classes (the split is not stratified). Shuffle x and y before, or pass "
                        "ignore_class_split=True."
                    )
            x = x[part]
            y = y[part] if y is not None else None
            sample_weight = sample_weight[part] if sample_weight is not None else None
            misc = [m[part] for m in misc]
        self.x = x
        self.x_misc = [np.asarray(m) for m in misc]
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = config.standardize_data_format(data_format)
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(len(x), batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.stack([self._transform(self.x[j]) for j in index_array]).astype(self.dtype)
        if self.save_to_dir:
            self._save(batch_x, index_array)
        inputs = batch_x if not self.x_misc else [batch_x] + [m[index_array] for m in self.x_misc]
        if self.y is None:
            return inputs
        out = (inputs, self.y[index_array])
        if self.sample_weight is not None:
            out += (self.sample_weight[index_array],)
        return out


def _labels(y):
    return {row.tobytes() for row in np.asarray(y).reshape(len(y), -1)}


class _FilesIterator(Iterator):
    """Batches of image files with labels (shared by DirectoryIterator and DataFrameIterator)."""

    def _setup_files(self, image_data_generator, target_size, color_mode, data_format, save_to_dir,
                     save_prefix, save_format, interpolation, keep_aspect_ratio, dtype):
        if color_mode not in _CHANNELS:
            from lamina.errors import suggest

            raise ValueError(f"color_mode must be one of {list(_CHANNELS)}; received {color_mode!r}."
                             f"{suggest(str(color_mode), _CHANNELS)}")
        self.image_data_generator = image_data_generator
        self.target_size = tuple(int(s) for s in target_size)
        self.color_mode = color_mode
        self.data_format = config.standardize_data_format(data_format)
        channels = _CHANNELS[color_mode]
        self.image_shape = (self.target_size + (channels,) if self.data_format == "channels_last"
                            else (channels,) + self.target_size)
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        self.interpolation = interpolation
        self.keep_aspect_ratio = keep_aspect_ratio
        self.dtype = dtype or config.floatx()

    @property
    def filepaths(self):
        """The absolute path of every image, in sample order."""
        return self._filepaths

    @property
    def labels(self):
        """The label of every image (class indices, or raw values), in sample order."""
        return self.classes

    def _load(self, path):
        from lamina.utils.image_utils import img_to_array, load_img

        img = load_img(path, color_mode=self.color_mode, target_size=self.target_size,
                       interpolation=self.interpolation, keep_aspect_ratio=self.keep_aspect_ratio)
        x = img_to_array(img, data_format=self.data_format, dtype=self.dtype)
        if hasattr(img, "close"):
            img.close()
        return x

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            batch_x[i] = self._transform(self._load(self._filepaths[j]))
        if self.save_to_dir:
            self._save(batch_x, index_array)
        mode = self.class_mode
        if mode is None:
            return batch_x
        if mode == "input":
            batch_y = batch_x.copy()
        elif mode == "sparse":
            batch_y = self.classes[index_array]
        elif mode == "binary":
            batch_y = self.classes[index_array].astype(self.dtype)
        elif mode == "categorical":
            batch_y = np.zeros((len(index_array), len(self.class_indices)), dtype=self.dtype)
            batch_y[np.arange(len(index_array)), self.classes[index_array]] = 1.0
        else:  # "raw"
            batch_y = self.classes[index_array]
        weights = getattr(self, "_sample_weight", None)
        return (batch_x, batch_y) if weights is None else (batch_x, batch_y, weights[index_array])


class DirectoryIterator(_FilesIterator):
    """Batches of the images under ``directory/<class>/...``, labelled by their subfolder.

    The classes are the subfolders (sorted) unless ``classes`` lists them; ``class_indices`` maps
    each to its index. Files with an image extension (png, jpg, jpeg, bmp, ppm, tif, tiff) are
    found recursively in each class folder, in sorted order. With a ``validation_split`` of the
    generator, ``subset='validation'`` takes the first ``validation_split`` fraction of each
    class's files and ``'training'`` the rest.

    Args:
        directory: the root folder. image_data_generator: the generator.
        target_size: (rows, cols) every image is resized to. color_mode: 'rgb', 'rgba' or
            'grayscale'. classes: the class subfolders to use, in index order.
        class_mode: 'categorical' (one-hot), 'binary' (0/1 floats), 'sparse' (indices), 'input'
            (the images themselves, for autoencoders) or None (images only).
        batch_size, shuffle, seed: see ``Iterator``. data_format, save_to_dir, save_prefix,
        save_format: see ``NumpyArrayIterator``. follow_links: follow symbolic links.
        subset: 'training' / 'validation'. interpolation: resampling filter ('nearest' ...).
        keep_aspect_ratio: crop to the target's aspect ratio before resizing. dtype: floatx().
    """

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png",
                 follow_links=False, subset=None, interpolation="nearest", keep_aspect_ratio=False,
                 dtype=None):
        if class_mode not in _CLASS_MODES:
            raise ValueError(f"DirectoryIterator: class_mode must be one of {list(_CLASS_MODES)}; "
                             f"received {class_mode!r}.")
        if not os.path.isdir(directory):
            raise ValueError(f"DirectoryIterator: {directory!r} is not a directory. Pass the folder "
                             "holding one subfolder per class.")
        self._setup_files(image_data_generator, target_size, color_mode, data_format, save_to_dir,
                          save_prefix, save_format, interpolation, keep_aspect_ratio, dtype)
        self.directory = directory
        self.class_mode = class_mode
        split = _split(image_data_generator, subset)
        if classes is None:
            classes = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
        self.class_indices = {c: i for i, c in enumerate(classes)}
        self.num_classes = len(classes)
        filenames, labels = [], []
        for cls in classes:
            files = _image_files(os.path.join(directory, cls), follow_links)
            if split is not None:
                files = files[int(split[0] * len(files)):int(split[1] * len(files))]
            filenames += [os.path.relpath(f, directory) for f in files]
            labels += [self.class_indices[cls]] * len(files)
        self.filenames = filenames
        self.classes = np.array(labels, dtype="int32")
        self.samples = len(filenames)
        self._filepaths = [os.path.join(directory, f) for f in filenames]
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)


def _image_files(folder, follow_links):
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda t: t[0]):
        found += [os.path.join(root, f) for f in sorted(files)
                  if f.lower().rsplit(".", 1)[-1] in IMAGE_FORMATS and "." in f]
    return found


class DataFrameIterator(_FilesIterator):
    """Batches of the images a pandas DataFrame lists: file names in ``x_col``, labels in ``y_col``.

    Args:
        dataframe: the table. directory: the folder the names are relative to (None: absolute).
        image_data_generator: the generator. x_col, y_col: the columns of names and labels.
        weight_col: a column of sample weights, or None.
        class_mode: 'categorical', 'binary', 'sparse' (labels are class names, indexed in sorted
            order or as ``classes`` lists them), 'raw' (y_col's values as they are), 'input' or None.
        validate_filenames: drop rows whose file is missing or not an image (with a message).
        Others: as for ``DirectoryIterator``.
    """

    def __init__(self, dataframe, directory=None, image_data_generator=None, x_col="filename",
                 y_col="class", weight_col=None, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png", subset=None,
                 interpolation="nearest", keep_aspect_ratio=False, dtype=None, validate_filenames=True):
        modes = ("categorical", "binary", "sparse", "raw", "input", None)
        if class_mode not in modes:
            raise ValueError(f"DataFrameIterator: class_mode must be one of {list(modes)}; received {class_mode!r}.")
        for col in [x_col] + ([y_col] if class_mode not in ("input", None) else []) + ([weight_col] if weight_col else []):
            if col not in dataframe.columns:
                raise ValueError(f"DataFrameIterator: the dataframe has no column {col!r}; its columns "
                                 f"are {list(dataframe.columns)}.")
        self._setup_files(image_data_generator, target_size, color_mode, data_format, save_to_dir,
                          save_prefix, save_format, interpolation, keep_aspect_ratio, dtype)
        self.directory = directory or ""
        self.class_mode = class_mode
        df = dataframe.copy()
        if validate_filenames:
            ok = df[x_col].map(lambda f: str(f).lower().rsplit(".", 1)[-1] in IMAGE_FORMATS
                               and os.path.isfile(os.path.join(self.directory, str(f))))
            if (~ok).any():
                print(f"Skipping {int((~ok).sum())} rows whose file is missing or not an image.")
            df = df[ok]
        split = _split(image_data_generator, subset)
        if split is not None:
            df = df.iloc[int(split[0] * len(df)):int(split[1] * len(df))]
        if class_mode in ("categorical", "binary", "sparse"):
            if classes is None:
                classes = sorted(set(df[y_col]))
            self.class_indices = {c: i for i, c in enumerate(classes)}
            df = df[df[y_col].isin(self.class_indices)]
            self.classes = np.array([self.class_indices[c] for c in df[y_col]], dtype="int32")
            if class_mode == "binary" and len(classes) != 2:
                raise ValueError(f"DataFrameIterator: class_mode='binary' needs 2 classes; found {classes}.")
        else:
            self.class_indices = {}
            self.classes = df[y_col].to_numpy() if class_mode == "raw" else None
        self.num_classes = len(self.class_indices)
        self.filenames = [str(f) for f in df[x_col]]
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        self._sample_weight = df[weight_col].to_numpy() if weight_col else None
        self.samples = len(self.filenames)
        if self.num_classes:
            print(f"Found {self.samples} validated image filenames belonging to {self.num_classes} classes.")
        else:
            print(f"Found {self.samples} validated image filenames.")
        super().__init__(self.samples, batch_size, shuffle, seed)
