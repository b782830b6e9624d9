"""Callbacks: hooks into fit/evaluate/predict (History, progress bar, early stopping, ...)."""

from lamina.callbacks.backup_and_restore import BackupAndRestore
from lamina.callbacks.callback import Callback
from lamina.callbacks.callback_list import CallbackList
from lamina.callbacks.csv_logger import CSVLogger
from lamina.callbacks.early_stopping import EarlyStopping
from lamina.callbacks.history import History
from lamina.callbacks.lambda_callback import LambdaCallback
from lamina.callbacks.learning_rate_scheduler import LearningRateScheduler
from lamina.callbacks.lr_finder import LRFinder
from lamina.callbacks.model_checkpoint import ModelCheckpoint
from lamina.callbacks.monitor_callback import MonitorCallback
from lamina.callbacks.one_cycle_scheduler import OneCycleScheduler
from lamina.callbacks.progbar_logger import ProgbarLogger, resolve_verbose
from lamina.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from lamina.callbacks.swap_ema_weights import SwapEMAWeights
from lamina.callbacks.tensorboard import TensorBoard
from lamina.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore",
    "Callback",
    "CallbackList",
    "CSVLogger",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "LRFinder",
    "ModelCheckpoint",
    "MonitorCallback",
    "OneCycleScheduler",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "SwapEMAWeights",
    "TensorBoard",
    "TerminateOnNaN",
    "resolve_verbose",
]
