import warnings

# google.api_core warns at import time about the Python version's end of support (2027); it says
# nothing about this connector and would reach users' logs on every run.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"google\.api_core\..*")

from destination_gdrive_receipts.destination import DestinationGdriveReceipts  # noqa: E402

__all__ = ["DestinationGdriveReceipts"]
