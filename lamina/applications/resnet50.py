"""Keras 2's ``keras.applications.resnet50`` path: ResNet50 and its preprocessing."""

from lamina.applications.resnet import ResNet50, decode_predictions, preprocess_input  # noqa: F401
