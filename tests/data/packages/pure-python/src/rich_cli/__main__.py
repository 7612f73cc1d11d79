def main() -> None:
    print("rich-cli")
