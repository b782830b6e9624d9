"""lamina.applications: Keras's pretrained image models, same names, layers and weight files.

``from lamina.applications import ResNet50`` (Keras 3) and ``from lamina.applications.resnet50
import ResNet50`` (Keras 2) both work; each family module also has ``preprocess_input`` and
``decode_predictions``.
"""

from lamina.applications import imagenet_utils  # noqa: F401
from lamina.applications.vgg16 import VGG16  # noqa: F401
from lamina.applications.vgg19 import VGG19  # noqa: F401
from lamina.applications.resnet import ResNet50, ResNet101, ResNet152  # noqa: F401
from lamina.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2  # noqa: F401
from lamina.applications.mobilenet import MobileNet  # noqa: F401
from lamina.applications.mobilenet_v2 import MobileNetV2  # noqa: F401
from lamina.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small  # noqa: F401
from lamina.applications.efficientnet import (  # noqa: F401
    EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3, EfficientNetB4, EfficientNetB5, EfficientNetB6,
    EfficientNetB7,
)
from lamina.applications.densenet import DenseNet121, DenseNet169, DenseNet201  # noqa: F401
from lamina.applications.inception_v3 import InceptionV3  # noqa: F401
from lamina.applications.xception import Xception  # noqa: F401
from lamina.applications.inception_resnet_v2 import InceptionResNetV2  # noqa: F401
from lamina.applications.convnext import (  # noqa: F401
    ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall, ConvNeXtTiny, ConvNeXtXLarge,
)
from lamina.applications.efficientnet_v2 import (  # noqa: F401
    EfficientNetV2B0, EfficientNetV2B1, EfficientNetV2B2, EfficientNetV2B3, EfficientNetV2L, EfficientNetV2M,
    EfficientNetV2S,
)
from lamina.applications.nasnet import NASNetLarge, NASNetMobile  # noqa: F401

# the family modules, as attributes (``keras.applications.resnet50.preprocess_input``)
from lamina.applications import (  # noqa: F401,E402
    convnext, densenet, efficientnet, efficientnet_v2, inception_resnet_v2, inception_v3, mobilenet, mobilenet_v2,
    mobilenet_v3, nasnet, resnet, resnet50, resnet_v2, vgg16, vgg19, xception,
)
