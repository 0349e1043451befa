"""The reading-room kiosk application: staff CLI, configuration, and (in `kiosk.ui`) the touch app."""
