import argparse

from tool.llm import explain


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("topic")
    parser.add_argument("--level", type=int, default=1)
    args = parser.parse_args()
    print(explain(args.topic))
    print(explain(args.level))


if __name__ == "__main__":
    main()
